// PAD cues on real fixture faces (../shared/fixtures): every cue the fusion may choose is checked on real live and
// attack material. The cues are fixed formulas, not fitted; a test that compares fixture rows the fusion was fitted
// on says "in-sample" in its name.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type WorkerEngine } from '../../src/node/engine/index';
import { computeTemporalPadCues, temporalSample, type TemporalPadCues, type TemporalSample } from '../../src/node/engine/pad/temporal-cues';
import { defaultPadFusion } from '../../src/node/engine/pad-fusion';
import { decodeVideoFrames } from '../../src/node/engine/video';
import type { LabelRow } from '../../src/node/eval/labels';
import { fixtureLabels, fixturesDir as fixtures, haveFixtures } from '../../src/testkit/fixtures';

/** Crops sampled per class and recording: evenly spaced, enough for a rank statistic, cheap on 2 cores. */
const PER_CLASS = 6;

const rows = (): LabelRow[] => fixtureLabels();

/** Recordings with live and replay crops of the same session (the pyimagesearch layout): source -> rows. */
function pairedCropSources(): Map<string, LabelRow[]> {
  const out = new Map<string, LabelRow[]>();
  for (const row of rows().filter((r) => r.kind === 'crop')) out.set(row.source, [...(out.get(row.source) ?? []), row]);
  for (const [source, list] of out) if (!list.some((r) => r.label === 'real') || !list.some((r) => r.label === 'spoof')) out.delete(source);
  return out;
}

const evenly = <T>(list: T[], n: number): T[] =>
  list.length <= n ? list : Array.from({ length: n }, (_, i) => list[Math.floor((i * list.length) / n)]);

/** Probability that a live unit's value exceeds an attack's (ties count half): the area under the ROC curve. */
function auc(live: number[], attack: number[]): number {
  let wins = 0;
  for (const a of live) for (const b of attack) wins += a > b ? 1 : a === b ? 0.5 : 0;
  return wins / (live.length * attack.length);
}

let engine: WorkerEngine;
/** source -> label -> component sets of the largest face of each sampled crop. */
const crops = new Map<string, { real: Record<string, number>[]; spoof: Record<string, number>[] }>();

async function components(file: string): Promise<Record<string, number> | undefined> {
  const analysis = await engine.analyzeImage(new Uint8Array(readFileSync(path.join(fixtures, file))), {
    irises: false,
    maxBytes: 64 * 1024 * 1024,
  });
  return analysis.faces[0]?.pad.components;
}

/** How many recordings rank live above replay on this component (AUC > 0.5), of how many. */
function recordingsAgreeing(name: string, liveHigher: boolean): { agree: number; of: number; aucs: string[] } {
  let agree = 0;
  const aucs: string[] = [];
  for (const [source, { real, spoof }] of crops) {
    const a = auc(
      real.map((c) => c[name]),
      spoof.map((c) => c[name]),
    );
    aucs.push(`${source.split('__')[0]} ${a.toFixed(2)}`);
    if (liveHigher ? a > 0.5 : a < 0.5) agree++;
  }
  return { agree, of: crops.size, aucs };
}

describe.skipIf(!haveFixtures)(`PAD cues on real fixture crops${haveFixtures ? '' : ` (SKIPPED: fixtures absent at ${fixtures})`}`, () => {
  beforeAll(async () => {
    engine = await createEngine({ pipeline: { padComponents: 'all' } });
    for (const [source, list] of pairedCropSources()) {
      const entry = { real: [] as Record<string, number>[], spoof: [] as Record<string, number>[] };
      for (const label of ['real', 'spoof'] as const) {
        for (const row of evenly(
          list.filter((r) => r.label === label),
          PER_CLASS,
        )) {
          const c = await components(row.path);
          if (c) entry[label].push(c);
        }
      }
      crops.set(source, entry);
    }
  }, 600_000);
  afterAll(async () => {
    await engine?.close();
  });

  it('has at least seven recordings with live and replay crops to compare', () => {
    expect(crops.size).toBeGreaterThanOrEqual(7);
    for (const { real, spoof } of crops.values()) expect(Math.min(real.length, spoof.length)).toBeGreaterThanOrEqual(4);
  });

  // Gamut cues: a screen's reproduction of skin is paler and less red than the skin itself.
  it('saturation: replay crops are paler than live crops of the same recording, in at least 5 of 7 recordings', () => {
    const r = recordingsAgreeing('saturation', true);
    expect(r.agree, r.aucs.join('; ')).toBeGreaterThanOrEqual(r.of - 2);
  });

  it('red_share: replay crops carry less red than live crops of the same recording, in at least 6 of 7 recordings', () => {
    const r = recordingsAgreeing('red_share', true);
    expect(r.agree, r.aucs.join('; ')).toBeGreaterThanOrEqual(r.of - 1);
  });

  it('skin_chroma_dist: replay crops sit further from the skin-tone centre, in at least 6 of 7 recordings', () => {
    const r = recordingsAgreeing('skin_chroma_dist', false);
    expect(r.agree, r.aucs.join('; ')).toBeGreaterThanOrEqual(r.of - 1);
  });

  // Sharpness cues: a recapture loses fine detail.
  it('lap_var: replay crops are blurrier than live crops of the same recording, in at least 5 of 7 recordings', () => {
    const r = recordingsAgreeing('lap_var', true);
    expect(r.agree, r.aucs.join('; ')).toBeGreaterThanOrEqual(r.of - 2);
  });

  it('lbp_nonuniform: live skin shows more non-uniform micro-texture than its replay, in at least 5 of 7 recordings', () => {
    const r = recordingsAgreeing('lbp_nonuniform', true);
    expect(r.agree, r.aucs.join('; ')).toBeGreaterThanOrEqual(r.of - 2);
  });

  // The liveness CNN at the context it was trained with (pyimagesearch's face ROI) and wider.
  it('cnn_liveness_wide (the liveness CNN on a 1.8x box) ranks live above replay in at least 5 of 7 recordings', () => {
    const r = recordingsAgreeing('cnn_liveness_wide', true);
    expect(r.agree, r.aucs.join('; ')).toBeGreaterThanOrEqual(r.of - 2);
  });

  // Colour-reproduction cues (src/node/engine/pad/colour-cues.ts), added 2026-11-29 for the sign-vote fusion. In-sample:
  // these recordings are the ones the vote counted when it took each cue.
  it("highlight_saturation (in-sample): replay highlights are paler, clipped to the display's white, in at least 5 of 7 recordings", () => {
    const r = recordingsAgreeing('highlight_saturation', true);
    expect(r.agree, r.aucs.join('; ')).toBeGreaterThanOrEqual(r.of - 2);
  });

  it('hue_spread (in-sample): replay crops scatter hue more than live skin, in at least 6 of 7 recordings', () => {
    const r = recordingsAgreeing('hue_spread', false);
    expect(r.agree, r.aucs.join('; ')).toBeGreaterThanOrEqual(r.of - 1);
  });

  it('saturation_cv (in-sample): replay crops mix washed-out and over-saturated patches, in all 7 recordings', () => {
    const r = recordingsAgreeing('saturation_cv', false);
    expect(r.agree, r.aucs.join('; ')).toBe(r.of);
  });

  it('cheek_saturation and cheek_green_blue (in-sample): replayed cheeks are paler and bluer, in at least 6 of 7 recordings', () => {
    for (const name of ['cheek_saturation', 'cheek_green_blue']) {
      const r = recordingsAgreeing(name, true);
      expect(r.agree, `${name}: ${r.aucs.join('; ')}`).toBeGreaterThanOrEqual(r.of - 1);
    }
  });

  it('every feature of the committed fusion is one the engine computes on a real face', () => {
    const [first] = crops.values();
    for (const f of defaultPadFusion().features) expect(first.real[0], f.name).toHaveProperty(f.name);
  });
});

describe.skipIf(!haveFixtures)(`print and mask cues on CelebA-Spoof images${haveFixtures ? '' : ' (SKIPPED)'}`, () => {
  let live: Record<string, number>[] = [];
  let prints: Record<string, number>[] = [];
  let masks: Record<string, number>[] = [];
  beforeAll(async () => {
    engine = await createEngine({ pipeline: { padComponents: 'all' } });
    const celeb = rows().filter((r) => r.source.startsWith('Jotriever'));
    const of = async (list: LabelRow[]) =>
      (await Promise.all(list.map((r) => components(r.path)))).filter((c): c is Record<string, number> => !!c);
    live = await of(celeb.filter((r) => r.label === 'real'));
    prints = await of(celeb.filter((r) => r.attack === 'print'));
    masks = await of(celeb.filter((r) => r.attack === 'mask'));
  }, 300_000);
  afterAll(async () => {
    await engine?.close();
  });

  it('lbp_nonuniform: paper prints show more broken micro-texture than the live photos (descriptive, 5 prints vs 2 live)', () => {
    expect(prints.length).toBeGreaterThanOrEqual(4);
    expect(
      auc(
        live.map((c) => c.lbp_nonuniform),
        prints.map((c) => c.lbp_nonuniform),
      ),
    ).toBeLessThan(0.2);
  });

  it('nose_relief: the mesh reads less relief from the prints and masks than from the live photos (descriptive, 7 attacks vs 2 live)', () => {
    expect(masks.length).toBe(2);
    expect(
      auc(
        live.map((c) => c.nose_relief),
        [...prints, ...masks].map((c) => c.nose_relief),
      ),
    ).toBeGreaterThan(0.8);
    expect(
      auc(
        live.map((c) => c.nose_relief),
        masks.map((c) => c.nose_relief),
      ),
    ).toBe(1);
  });

  it('saturation and red_share: prints are paler and less red than the live photos (descriptive, 5 prints vs 2 live)', () => {
    expect(
      auc(
        live.map((c) => c.saturation),
        prints.map((c) => c.saturation),
      ),
    ).toBeGreaterThan(0.8);
    expect(
      auc(
        live.map((c) => c.red_share),
        prints.map((c) => c.red_share),
      ),
    ).toBeGreaterThan(0.8);
  });
});

describe.skipIf(!haveFixtures)(`temporal cues on the fixture clips${haveFixtures ? '' : ' (SKIPPED)'}`, () => {
  const cues = new Map<string, TemporalPadCues | null>();
  /** Frames a second the clips are decoded at: enough for the 0.7-3 Hz pulse band and the 4 Hz flicker split. */
  const FPS = 15;
  /** Seconds of each clip read: several beats, bounded work. */
  const SECONDS = 10;
  /** The first seconds of ZubairCracksCode's fake.mp4 show the live person beside the phone (PROVENANCE.md). */
  const SKIP_MS: Record<string, number> = { 'ZubairCracksCode__anit-spoofing/videos/fake.mp4': 3000 };
  let clips: LabelRow[] = [];
  beforeAll(async () => {
    engine = await createEngine();
    clips = rows().filter((r) => r.kind === 'video');
    for (const row of clips) {
      const samples: TemporalSample[] = [];
      const from = SKIP_MS[row.path] ?? 0;
      for await (const frame of decodeVideoFrames(path.join(fixtures, row.path), { fps: FPS, maxWidth: 640 })) {
        if (frame.timestampMs < from) continue;
        if (frame.timestampMs > from + SECONDS * 1000) break;
        const analysis = await engine.analyzeFrame(frame, { timestampMs: frame.timestampMs, irises: false, trackId: row.path });
        if (analysis.faces[0]) samples.push(temporalSample(frame, analysis.faces[0].bbox, frame.timestampMs));
      }
      cues.set(row.path, computeTemporalPadCues(samples));
    }
  }, 900_000);
  afterAll(async () => {
    await engine?.close();
  });

  it('gives temporal cues for every live clip, and none (not a guess) for a clip with under 3 s of face', () => {
    for (const row of clips.filter((r) => r.label === 'real')) expect(cues.get(row.path), row.path).not.toBeNull();
    for (const c of cues.values()) if (c) expect(c.seconds).toBeGreaterThanOrEqual(3);
  });

  it('face_bg_correlation: the replay clip moves with its surroundings more than any live clip does (in-sample: the one replay clip with 3 s of face)', () => {
    const value = (r: LabelRow) => cues.get(r.path)?.face_bg_correlation ?? Number.NaN;
    const live = clips.filter((r) => r.label === 'real').map(value);
    const replay = clips.filter((r) => r.label === 'spoof' && cues.get(r.path)).map(value);
    expect(replay.length).toBeGreaterThanOrEqual(1);
    expect(Math.min(...replay), `live ${live.map((v) => v.toFixed(2))} replay ${replay.map((v) => v.toFixed(2))}`).toBeGreaterThan(
      Math.max(...live),
    );
  });
});
