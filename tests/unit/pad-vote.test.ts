// The PAD fusion's sign vote (src/node/eval/pad-vote.ts): a cue enters only when its direction holds across recordings.
import { describe, expect, it } from 'vitest';
import { fitSignVote, rankAuc, type VoteUnit } from '../../src/node/eval/pad-vote';

/** Seven recordings, each with 3 live and 3 replay units; `value(source, live, k)` gives each cue's value. */
function recordings(values: (source: number, live: boolean, k: number) => Record<string, number | null>): VoteUnit[] {
  const units: VoteUnit[] = [];
  for (let s = 0; s < 7; s++) {
    for (let k = 0; k < 3; k++) {
      units.push({ source: `rec${s}`, label: 'real', replay: false, values: values(s, true, k) });
      units.push({ source: `rec${s}`, label: 'spoof', replay: true, values: values(s, false, k) });
    }
  }
  return units;
}

describe('fitSignVote', () => {
  it('takes a cue that ranks live higher in every recording (+1) and one that ranks it lower (-1), each z-scored', () => {
    // Each recording's camera shifts both classes by 10*s: only the within-recording order is shared.
    const units = recordings((s, live, k) => ({ sharp: 10 * s + (live ? 2 : 0) + k * 0.1, glare: 10 * s + (live ? 0 : 2) + k * 0.1 }));
    const model = fitSignVote(units, ['sharp', 'glare'], 0.85, 3);
    expect(model.features).toEqual(['sharp', 'glare']);
    expect(model.weights).toEqual([1, -1]);
    expect(model.agreement).toEqual([
      { agreeing: 7, recordings: 7 },
      { agreeing: 7, recordings: 7 },
    ]);
    expect(model.std[0]).toBeGreaterThan(1);
  });

  it('leaves out a cue whose direction flips between recordings, however well it separates some of them', () => {
    const units = recordings((s, live, k) => ({ flips: s < 4 === live ? 5 + k : k }));
    expect(fitSignVote(units, ['flips'], 0.85, 3).features).toEqual([]);
  });

  it('leaves out a cue measured on too few recordings, and ignores print and mask units in the vote', () => {
    const units = recordings((s, live) => ({ rare: s < 2 ? (live ? 1 : 0) : null }));
    units.push({ source: 'celeb', label: 'spoof', replay: false, values: { rare: 1 } });
    expect(fitSignVote(units, ['rare'], 0.85, 3).features).toEqual([]);
    expect(fitSignVote(units, ['rare'], 0.85, 2).features).toEqual(['rare']);
  });

  it('rankAuc counts ties as half', () => {
    expect(rankAuc([1, 2], [0, 2])).toBe(0.625);
  });
});
