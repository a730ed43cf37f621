// ISO/IEC 30107-3 style PAD error rates from scored samples. Pure: no I/O.
//
// Convention: a score is "live-ness", higher = more live; a sample is ACCEPTED as bona fide when score >= threshold.
// APCER = attacks accepted / attacks; BPCER = bona fide rejected / bona fide; ACER = (APCER + BPCER) / 2.
// A sample with no score (no face found) is never accepted: it counts as a rejection for both classes.

export interface ScoredSample {
  label: 'real' | 'spoof';
  /** Live score (0-100 for the fused score); null when the sample could not be scored (no face). */
  score: number | null;
  /** Attack type for spoofs (used for per-attack APCER). */
  attack?: string;
}

export interface ErrorRates {
  threshold: number;
  nReal: number;
  nSpoof: number;
  /** Attacks accepted over all attacks, types pooled. */
  apcer: number;
  /** Worst APCER over the attack types present (ISO/IEC 30107-3 reports this maximum). */
  apcerWorstType: number;
  bpcer: number;
  acer: number;
  perAttack: Record<string, { n: number; accepted: number; apcer: number }>;
}

const accepted = (s: ScoredSample, threshold: number) => s.score !== null && s.score >= threshold;

/** NaN when the denominator is 0 (a rate over nothing is undefined, not 0). */
const rate = (k: number, n: number) => (n > 0 ? k / n : Number.NaN);

export function errorRates(samples: ScoredSample[], threshold: number): ErrorRates {
  const real = samples.filter((s) => s.label === 'real');
  const spoof = samples.filter((s) => s.label === 'spoof');
  const perAttack: ErrorRates['perAttack'] = {};
  for (const s of spoof) {
    const key = s.attack ?? 'unknown';
    const entry = (perAttack[key] ??= { n: 0, accepted: 0, apcer: 0 });
    entry.n++;
    if (accepted(s, threshold)) entry.accepted++;
  }
  for (const entry of Object.values(perAttack)) entry.apcer = rate(entry.accepted, entry.n);
  const spoofAccepted = spoof.filter((s) => accepted(s, threshold)).length;
  const apcer = rate(spoofAccepted, spoof.length);
  const types = Object.values(perAttack);
  const apcerWorstType = types.length ? Math.max(...types.map((t) => t.apcer)) : Number.NaN;
  const bpcer = rate(real.filter((s) => !accepted(s, threshold)).length, real.length);
  return { threshold, nReal: real.length, nSpoof: spoof.length, apcer, apcerWorstType, bpcer, acer: (apcer + bpcer) / 2, perAttack };
}

/**
 * The highest threshold whose BPCER is <= maxBpcer, and the pooled APCER there. Highest = the strictest on attacks
 * among the thresholds that keep enough bona fide users. Candidate thresholds are the observed real scores (a
 * threshold just at a score accepts that score).
 */
export function thresholdAtBpcer(samples: ScoredSample[], maxBpcer = 0.15): { threshold: number; bpcer: number; apcer: number } {
  const real = samples.filter((s) => s.label === 'real');
  if (real.length === 0) return { threshold: Number.NaN, bpcer: Number.NaN, apcer: Number.NaN };
  const candidates = [...new Set(real.map((s) => s.score).filter((s): s is number => s !== null))].sort((a, b) => b - a);
  let chosen = Number.NEGATIVE_INFINITY;
  for (const t of candidates) {
    const r = errorRates(samples, t);
    if (r.bpcer <= maxBpcer + 1e-12) {
      chosen = t;
      break;
    }
  }
  if (chosen === Number.NEGATIVE_INFINITY) {
    // Even accepting every scored real misses the target (too many unscored reals): the loosest threshold.
    chosen = candidates.length ? candidates[candidates.length - 1] : Number.NEGATIVE_INFINITY;
  }
  const r = errorRates(samples, chosen);
  return { threshold: chosen, bpcer: r.bpcer, apcer: r.apcer };
}

export interface DetPoint {
  threshold: number;
  apcer: number;
  bpcer: number;
}

/** DET curve: (APCER, BPCER) at every distinct score, from the loosest threshold to the strictest. */
export function detCurve(samples: ScoredSample[]): DetPoint[] {
  const scores = [...new Set(samples.map((s) => s.score).filter((s): s is number => s !== null))].sort((a, b) => a - b);
  const points: DetPoint[] = [];
  for (const t of [...scores, Number.POSITIVE_INFINITY]) {
    const r = errorRates(samples, t);
    points.push({ threshold: t, apcer: r.apcer, bpcer: r.bpcer });
  }
  return points;
}

/** Equal error rate: the DET point where APCER and BPCER are closest, averaged. */
export function equalErrorRate(samples: ScoredSample[]): number {
  let best = Number.NaN;
  let gap = Number.POSITIVE_INFINITY;
  for (const p of detCurve(samples)) {
    const g = Math.abs(p.apcer - p.bpcer);
    if (g < gap) {
      gap = g;
      best = (p.apcer + p.bpcer) / 2;
    }
  }
  return best;
}
