// Verification error rates for face identity (ISO/IEC 19795-1 terms): genuine and impostor pairs of photos scored by
// similarity; FNMR at a target FMR, the equal error rate and the DET curve. Pure arithmetic, no I/O.

export interface PairScores {
  /** Similarities of pairs of two photos of the same person. */
  genuine: number[];
  /** Similarities of pairs of photos of different people. */
  impostor: number[];
}

export interface OperatingPoint {
  /** The FMR asked for. */
  targetFmr: number;
  /** Smallest threshold whose measured FMR is <= targetFmr (a pair matches when similarity >= threshold). */
  threshold: number;
  fmr: number;
  fnmr: number;
  /**
   * false when there are too few impostor pairs to observe this FMR (fewer than 1/targetFmr): the point then only
   * says that no impostor pair scored at or above the threshold.
   */
  resolvable: boolean;
}

export interface DetPoint {
  threshold: number;
  fmr: number;
  fnmr: number;
}

/** Pairs (i, j), i < j, split into genuine and impostor by the identity of each item. */
export function pairIndices(identities: readonly string[]): { genuine: [number, number][]; impostor: [number, number][] } {
  const genuine: [number, number][] = [];
  const impostor: [number, number][] = [];
  for (let i = 0; i < identities.length; i++) {
    for (let j = i + 1; j < identities.length; j++) (identities[i] === identities[j] ? genuine : impostor).push([i, j]);
  }
  return { genuine, impostor };
}

function rateAtLeast(sortedAscending: number[], threshold: number): number {
  if (sortedAscending.length === 0) return 0;
  let lo = 0,
    hi = sortedAscending.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sortedAscending[mid] < threshold) lo = mid + 1;
    else hi = mid;
  }
  return (sortedAscending.length - lo) / sortedAscending.length;
}

/** FMR and FNMR at one threshold. */
export function ratesAt(scores: PairScores, threshold: number): { fmr: number; fnmr: number } {
  const g = [...scores.genuine].sort((a, b) => a - b);
  const i = [...scores.impostor].sort((a, b) => a - b);
  return { fmr: rateAtLeast(i, threshold), fnmr: g.length ? 1 - rateAtLeast(g, threshold) : 0 };
}

/** The operating point at a target FMR: the lowest threshold just above enough impostor scores. */
export function fnmrAtFmr(scores: PairScores, targetFmr: number): OperatingPoint {
  const impostor = [...scores.impostor].sort((a, b) => b - a);
  const allowed = Math.floor(targetFmr * impostor.length);
  // Threshold just above the (allowed+1)-th highest impostor score: at most `allowed` impostors reach it.
  const threshold = impostor.length > allowed ? nextUp(impostor[allowed]) : -Infinity;
  const { fmr, fnmr } = ratesAt(scores, threshold);
  return { targetFmr, threshold, fmr, fnmr, resolvable: impostor.length >= Math.ceil(1 / targetFmr) };
}

function nextUp(x: number): number {
  return x + Math.max(Math.abs(x) * 1e-9, 1e-12);
}

export function detCurve(scores: PairScores): DetPoint[] {
  const thresholds = [...new Set([...scores.genuine, ...scores.impostor])].sort((a, b) => a - b);
  return thresholds.map((threshold) => ({ threshold, ...ratesAt(scores, threshold) }));
}

/** Equal error rate: where FMR and FNMR cross (the mean of the two at the closest threshold). */
export function equalErrorRate(scores: PairScores): number {
  let best = { gap: Infinity, eer: 1 };
  for (const p of detCurve(scores)) {
    const gap = Math.abs(p.fmr - p.fnmr);
    if (gap < best.gap) best = { gap, eer: (p.fmr + p.fnmr) / 2 };
  }
  return best.eer;
}
