// The PAD fusion's sign vote (tools/fit-pad.ts): which cues enter the fused score, each with one vote of +-1.
// A cue enters only when it ranks live against replay the same way inside nearly every recording that holds both, so
// the fusion keeps what generalises across recordings and weighs nothing by how well it fits these recordings.
import { tuned } from '../../shared/tunables';

/** Share of paired recordings a cue's direction must agree in, and how many recordings must hold it, to get a vote. */
const PAD_VOTE_MIN_AGREEMENT = tuned('padVoteMinAgreement');
const PAD_VOTE_MIN_RECORDINGS = tuned('padVoteMinRecordings');

export interface VoteUnit {
  /** The recording (one repository, one session): live and replay of one source are compared with each other only. */
  source: string;
  label: 'real' | 'spoof';
  /** Only replay attacks take part in the direction vote (prints and masks are too few to vote). */
  replay: boolean;
  /** One value per candidate (the unit's median over its frames, already transformed); null when absent. */
  values: Record<string, number | null>;
}

export interface VoteModel {
  features: string[];
  /** +1: higher is more live; -1: lower is more live. */
  weights: number[];
  /** Midpoint of the two class means, per feature. */
  mean: number[];
  /** Spread over all units, per feature: every cue gets one vote in standard units. */
  std: number[];
  /** Per feature, the share of paired recordings that agreed with its sign, and how many recordings there were. */
  agreement: { agreeing: number; recordings: number }[];
}

/** Probability that a live value exceeds an attack value (ties count half): the area under the ROC curve. */
export function rankAuc(live: readonly number[], attack: readonly number[]): number {
  let wins = 0;
  for (const a of live) for (const b of attack) wins += a > b ? 1 : a === b ? 0.5 : 0;
  return wins / (live.length * attack.length);
}

const present = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/** Fit the sign vote on these (training) units over the candidates, in candidate order. */
export function fitSignVote(
  units: readonly VoteUnit[],
  candidates: readonly string[],
  minAgreement = PAD_VOTE_MIN_AGREEMENT,
  minRecordings = PAD_VOTE_MIN_RECORDINGS,
): VoteModel {
  const recordings = new Map<string, { real: VoteUnit[]; replay: VoteUnit[] }>();
  for (const unit of units) {
    if (unit.label === 'spoof' && !unit.replay) continue;
    const entry = recordings.get(unit.source) ?? { real: [], replay: [] };
    (unit.label === 'real' ? entry.real : entry.replay).push(unit);
    recordings.set(unit.source, entry);
  }
  const paired = [...recordings.values()].filter((r) => r.real.length > 0 && r.replay.length > 0);
  const model: VoteModel = { features: [], weights: [], mean: [], std: [], agreement: [] };
  for (const name of new Set(candidates)) {
    const aucs: number[] = [];
    for (const { real, replay } of paired) {
      const live = real.map((u) => u.values[name]).filter(present);
      const attack = replay.map((u) => u.values[name]).filter(present);
      if (live.length && attack.length) aucs.push(rankAuc(live, attack));
    }
    if (aucs.length < minRecordings) continue;
    const up = aucs.filter((a) => a > 0.5).length;
    const down = aucs.filter((a) => a < 0.5).length;
    const sign = up >= minAgreement * aucs.length ? 1 : down >= minAgreement * aucs.length ? -1 : 0;
    if (!sign) continue;
    const of = (label: VoteUnit['label']) =>
      units
        .filter((u) => u.label === label)
        .map((u) => u.values[name])
        .filter(present);
    const real = of('real');
    const spoof = of('spoof');
    const all = [...real, ...spoof];
    const avg = (v: number[]) => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
    const m = avg(all);
    model.features.push(name);
    model.weights.push(sign);
    model.mean.push((avg(real) + avg(spoof)) / 2);
    model.std.push(Math.sqrt(avg(all.map((v) => (v - m) ** 2))) || 1);
    model.agreement.push({ agreeing: sign > 0 ? up : down, recordings: aucs.length });
  }
  return model;
}
