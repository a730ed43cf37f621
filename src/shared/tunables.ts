// One home for every tuned constant of the decision core and the engine's face measures. PURE.
//
// Each entry says what the value is, the data it was tuned on, and the command that re-tunes it. The modules that
// use a constant import it from here (their old exported names remain as aliases), so an auditor reads one file to
// see every number that decides a verdict, and `liveness calibrate` can refit the flash and planar ones per site.
// Safety limits that are design rules rather than fits (the WCAG flash band, step durations) stay in flash.ts.

export interface Tunable {
  value: number;
  /** What the number means, in one sentence. */
  meaning: string;
  /** The data it was tuned on (and how: fitted, or read off by hand). */
  tunedOn: string;
  /** The command that re-tunes or re-checks it. */
  retune: string;
}

const SYNTHETIC =
  "the project's synthetic renderer (src/testkit/synth: real fixture photos re-lit and moved by the generator); generator-tuned, not measured on real captures";
const CALIBRATE = '`liveness calibrate <packs…>` (pilot capture packs; prints the refit value and a site profile)';
const FIXTURE_CLIPS =
  'the fixture selfie clips of ../shared/fixtures (Krzysiek354, repeating, ZubairCracksCode real videos), read off by hand';

const STREAM_DATA =
  "the fixture live clips (Krzysiek354, repeating, ZubairCracksCode, lestari15) at 15 fps through the renderer's JPEG path, and Chromium's fake capture (its built-in pattern and a y4m of a fixture clip); no real kiosk camera yet";
const STREAM_RETUNE =
  'npx tsx tools/measure-stream.ts (prints each figure per clip), then npx vitest run tests/integration/camera-injection.test.ts';

export const TUNABLES = {
  // ---- challenges (src/liveness/challenges.ts)
  turnDegrees: {
    value: 20,
    meaning: 'Degrees beyond the neutral yaw a head turn must reach.',
    tunedOn: FIXTURE_CLIPS,
    retune: 'npx vitest run tests/integration/clip-fixtures.test.ts (checks the fixture turns still count)',
  },
  returnDegrees: {
    value: 8,
    meaning: 'Degrees from neutral that count as back to the front.',
    tunedOn: FIXTURE_CLIPS,
    retune: 'npx vitest run tests/integration/clip-fixtures.test.ts',
  },
  blinkClosedFraction: {
    value: 0.5,
    meaning: 'Both eyes must dip below this fraction of their open baseline for a blink.',
    tunedOn: 'repeating/Blink-Detector fixture video (blinks marked by hand)',
    retune: 'npx vitest run tests/integration/clip-fixtures.test.ts',
  },
  blinkReopenFraction: {
    value: 0.8,
    meaning: 'Eyes must come back above this fraction of the baseline to end a blink.',
    tunedOn: 'repeating/Blink-Detector fixture video',
    retune: 'npx vitest run tests/integration/clip-fixtures.test.ts',
  },
  smileRise: {
    value: 0.25,
    meaning: 'Rise of the 0-1 smile measure above neutral that counts as a smile.',
    tunedOn: 'fixture photos (deepface smiling and neutral portraits), read off by hand',
    retune: 'npx vitest run tests/integration/clip-fixtures.test.ts',
  },
  smileFrames: {
    value: 2,
    meaning: 'Consecutive frames the smile must hold (one noisy frame is not a smile).',
    tunedOn: 'design choice at 10-15 fps capture',
    retune: 'npx vitest run tests/unit/liveness/challenges.test.ts',
  },

  // ---- engine face measures (src/node/engine/face-metrics.ts)
  smileSpreadNeutral: {
    value: 0.56,
    meaning: 'Mouth-corner spread over the eye-corner distance of a neutral face.',
    tunedOn: 'fixture photos (deepface portraits), read off by hand',
    retune: 'npx vitest run tests/unit/engine-geometry.test.ts',
  },
  smileSpreadFull: {
    value: 0.82,
    meaning: 'The same spread for a broad smile.',
    tunedOn: 'fixture photos (deepface portraits), read off by hand',
    retune: 'npx vitest run tests/unit/engine-geometry.test.ts',
  },
  smileLiftNeutral: {
    value: 0.02,
    meaning: 'Lip-centre drop below the corner line (over mouth width) of a neutral face.',
    tunedOn: 'fixture photos, read off by hand',
    retune: 'npx vitest run tests/unit/engine-geometry.test.ts',
  },
  smileLiftFull: {
    value: 0.14,
    meaning: 'The same lift for a broad smile.',
    tunedOn: 'fixture photos, read off by hand',
    retune: 'npx vitest run tests/unit/engine-geometry.test.ts',
  },
  sharpLaplacianVariance: {
    value: 400,
    meaning: 'Laplacian variance on the 192-pixel face crop that reads as fully sharp.',
    tunedOn: 'fixture photos and crops (sharp press photos against motion-blurred webcam frames)',
    retune: 'npx vitest run tests/integration/engine.test.ts',
  },

  // ---- engine speed (src/node/engine/sessions.ts)
  irisThreadMinCores: {
    value: 2,
    meaning:
      "Cores the machine must have for the iris model's two eyes to be shared with a helper thread while the same face's PAD work runs (fewer: both eyes inline, one after the other).",
    tunedOn:
      '`npm run bench` on the 2-core development machine: the still and tracked medians with the iris inline and shared, in the same run (README "Speed")',
    retune: '`npx liveness bench --json` (pipeline against pipeline_iris_inline, pipeline_tracked against pipeline_tracked_iris_inline)',
  },

  // ---- passive decision and scoring (src/liveness/passive.ts, scoring.ts)
  padAttackFloor: {
    value: 30,
    meaning: 'A fused PAD score below this over the best frames is a confirmed attack (declined at once).',
    tunedOn: 'fixture crops and photos, in-sample to the PAD fusion fit (src/node/engine/pad-fusion.json)',
    retune: 'npx tsx tools/fit-pad.ts, then `liveness eval ../shared/fixtures`',
  },
  padVoteMinAgreement: {
    value: 0.85,
    meaning:
      "Share of the training fold's paired recordings (live and replay of one session) in which a PAD cue must rank live on the same side for the fusion's sign vote to take it (6 of 7).",
    tunedOn:
      '../shared/fixtures (232 labelled rows), chosen among 0.7/0.75/0.85/0.95 by the pooled leave-one-source-out replay APCER at BPCER 15% (a procedural choice read off held-out figures, so slightly optimistic)',
    retune: 'npx tsx tools/fit-pad.ts --dry-run (FIT_PAD_METHOD=logistic for the previous fit)',
  },
  padVoteMinRecordings: {
    value: 3,
    meaning: 'Paired recordings a PAD cue must be measured on before the sign vote may take it.',
    tunedOn: 'design choice (fewer cannot show agreement)',
    retune: 'npx tsx tools/fit-pad.ts --dry-run',
  },
  minFaceQuality: {
    value: 40,
    meaning: 'Reference-frame quality below this adds LOW_FACE_QUALITY feedback.',
    tunedOn: 'fixture photos and crops, read off by hand',
    retune: '`liveness eval ../shared/fixtures --mode passive` (face-found and BPCER columns)',
  },

  // ---- flash reflection analysis (src/liveness/flash.ts)
  flashMinFrames: {
    value: 8,
    meaning: 'Frames inside the sequence needed for any flash verdict.',
    tunedOn: 'design choice: 8 steps at >= 10 fps',
    retune: CALIBRATE,
  },
  flashMinCoverage: {
    value: 0.6,
    meaning: 'Fraction of the sequence steps that frames must have seen.',
    tunedOn: SYNTHETIC,
    retune: CALIBRATE,
  },
  flashNoResponseActivity: {
    value: 0.012,
    meaning: 'Explained log-colour change below which the face did not respond (a screen lighting itself).',
    tunedOn: SYNTHETIC,
    retune: CALIBRATE,
  },
  flashFullAmplitude: {
    value: 0.12,
    meaning: 'Explained log-colour change that counts fully towards the flash score.',
    tunedOn: SYNTHETIC,
    retune: CALIBRATE,
  },
  flashVariationFlat: {
    value: 0.045,
    meaning: 'Spatial variation of the reflection across face regions of a flat surface (a print).',
    tunedOn: SYNTHETIC,
    retune: CALIBRATE,
  },
  flashVariation3d: { value: 0.065, meaning: 'Spatial variation of a clearly 3D face.', tunedOn: SYNTHETIC, retune: CALIBRATE },
  flashFollowLow: {
    value: 0.45,
    meaning: 'Reflection-to-sequence correlation that starts to count as following.',
    tunedOn: SYNTHETIC,
    retune: CALIBRATE,
  },
  flashFollowHigh: { value: 0.85, meaning: 'Correlation that counts as fully following.', tunedOn: SYNTHETIC, retune: CALIBRATE },

  // ---- planar-attack check (src/liveness/planar.ts)
  planarMinMotion: {
    value: 0.07,
    meaning: 'Shape change (similarity residual over face scale) a frame needs before it can tell a face from a plane.',
    tunedOn: `${SYNTHETIC}; and the fixture replay videos (phone held to the webcam)`,
    retune: CALIBRATE,
  },
  planarResidualFlat: {
    value: 0.04,
    meaning: 'Excess homography residual of a plane (jitter plus the depth the mesh model guesses on a tilted photo).',
    tunedOn: SYNTHETIC,
    retune: CALIBRATE,
  },
  planarResidual3d: {
    value: 0.1,
    meaning: 'Excess residual at which the parallax is clearly 3D (head turns of 20+ degrees).',
    tunedOn: SYNTHETIC,
    retune: CALIBRATE,
  },
  planarAttackResidual: {
    value: 0.01,
    meaning: 'Excess residual below which clear motion is a confirmed plane (LIVENESS_FACE_ATTACK).',
    tunedOn: SYNTHETIC,
    retune: CALIBRATE,
  },
  planarMinFrames: {
    value: 2,
    meaning: 'Frames with enough motion needed for a planar score.',
    tunedOn: 'design choice',
    retune: CALIBRATE,
  },
  // ---- server face index (src/server/faces/face-index.ts, screening-worker.ts)
  hnswM: {
    value: 16,
    meaning: 'pgvector HNSW graph degree (links per node) of the face index.',
    tunedOn: 'pgvector default; checked by the 1:N bench (synthetic clustered embeddings, recall@10 against exact search)',
    retune: '`liveness face-bench --n 100000`',
  },
  hnswEfConstruction: {
    value: 64,
    meaning: 'pgvector HNSW candidate list size while building the face index.',
    tunedOn: 'pgvector default; checked by the 1:N bench',
    retune: '`liveness face-bench --n 100000`',
  },
  hnswEfSearch: {
    value: 100,
    meaning: 'pgvector HNSW candidate list size per face search (higher: better recall, slower).',
    tunedOn: 'the 1:N bench (synthetic clustered embeddings, recall@10 against exact search)',
    retune: '`liveness face-bench --n 100000 --ef-search 40,100,200`',
  },
  exactScanPageRows: {
    value: 2000,
    meaning: 'Stored faces read per page by the exact search (bounds its memory at any index size).',
    tunedOn: 'design choice: 2000 x 4 KiB = 8 MiB a page',
    retune: '`liveness face-bench --backends sqlite`',
  },
  faceScreeningPollMs: {
    value: 1000,
    meaning: 'How often a server instance looks for synced Approved decisions not yet face-screened.',
    tunedOn: 'design choice: a status change within seconds of the sync, one cheap query a second',
    retune: 'npx vitest run tests/integration/face-screening.test.ts',
  },
  faceScreeningBatch: {
    value: 10,
    meaning: 'Decisions one face-screening pass claims (each costs one embedding).',
    tunedOn: 'design choice',
    retune: 'npx vitest run tests/integration/face-screening.test.ts',
  },
  faceScreeningLeaseMs: {
    value: 120000,
    meaning: 'How long a claimed screening stays with its instance before another may retry it (a crashed instance).',
    tunedOn: 'design choice: well above one embedding on a loaded machine',
    retune: 'npx vitest run tests/integration/face-screening.test.ts',
  },
  faceScreeningMaxAttempts: {
    value: 5,
    meaning: 'Failed screenings of one decision (engine errors) before it is left as failed for an operator.',
    tunedOn: 'design choice',
    retune: 'npx vitest run tests/integration/face-screening.test.ts',
  },

  // ---- stream-injection checks (src/liveness/stream-integrity.ts, on 80x60 greyscale thumbnails of the frames)
  streamIdenticalMad: {
    value: 0.01,
    meaning: 'Mean absolute thumbnail change (grey levels) at or below which two frames are the same picture.',
    tunedOn: STREAM_DATA,
    retune: STREAM_RETUNE,
  },
  streamFrozenMs: {
    value: 1500,
    meaning:
      'A run of identical frames this long is a frozen stream (a camera dropping to 7.5 fps repeats frames for ~130 ms, not seconds).',
    tunedOn: STREAM_DATA,
    retune: STREAM_RETUNE,
  },
  streamStillMinFrames: {
    value: 5,
    meaning:
      'Frames after which an attempt that showed only one or two pictures is frozen or looped, however short (a sensor never repeats a picture exactly; a quick passive decision must not outrun the frozen and loop checks).',
    tunedOn: STREAM_DATA,
    retune: STREAM_RETUNE,
  },
  streamStillMaxPictures: {
    value: 2,
    meaning:
      'Distinct pictures at or below which an attempt of at least streamStillMinFrames frames is frozen (one) or looped (two): a one-frame clip played by Chromium showed two pictures alternating.',
    tunedOn: STREAM_DATA,
    retune: STREAM_RETUNE,
  },
  streamLoopMinRepeats: {
    value: 3,
    meaning: 'Frames identical to an earlier frame (after the picture changed in between) that make a looped stream.',
    tunedOn: STREAM_DATA,
    retune: STREAM_RETUNE,
  },
  streamNoiseFloorMin: {
    value: 0.001,
    meaning: 'Median quietest-block change between distinct frames (grey levels) below which the static regions carry no sensor noise.',
    tunedOn: STREAM_DATA,
    retune: STREAM_RETUNE,
  },
  streamNoiseMinPairs: {
    value: 10,
    meaning: 'Distinct frame pairs needed before the noise floor is judged.',
    tunedOn: 'design choice: under a second at 15 fps',
    retune: STREAM_RETUNE,
  },
  streamTimingMinJitterMs: {
    value: 0.25,
    meaning:
      'Standard deviation of the frame intervals (ms) below which the frame clock is synthetic (a script feeding a file at exact intervals).',
    tunedOn: STREAM_DATA,
    retune: STREAM_RETUNE,
  },
  streamTimingMinIntervals: {
    value: 20,
    meaning: 'Frame intervals needed before the timing is judged.',
    tunedOn: 'design choice: over a second at 15 fps',
    retune: STREAM_RETUNE,
  },
  // ---- server face index, exact search on SQLite (src/server/faces/exact-cache.ts)
  exactSearchCacheMaxFaces: {
    value: 262_144,
    meaning:
      'Most searchable faces the SQLite exact search keeps in memory (4 KiB each: 1 GiB at this value); above it each search streams the table from disk.',
    tunedOn: 'design choice: 1 GiB of the server process; `liveness face-bench --n 100000 --backends sqlite` measured both paths',
    retune: '`liveness face-bench --n 20000,100000 --backends sqlite`',
  },
  faceScreeningSweepMs: {
    value: 600_000,
    meaning:
      'How often a server instance looks for unscreened Approved decisions from the start of the table (between sweeps it reads only decisions newer than its cursor).',
    tunedOn:
      "design choice: PostgreSQL's ids are not in commit order, so a decision that commits late behind the cursor waits at most this long",
    retune: 'npx vitest run tests/integration/face-screening.test.ts',
  },
} as const satisfies Record<string, Tunable>;

export type TunableName = keyof typeof TUNABLES;

/** The value of a tuned constant. */
export function tuned(name: TunableName): number {
  return TUNABLES[name].value;
}

/** The flash analysis constants a site profile may override. */
export interface FlashTuning {
  minFrames: number;
  minCoverage: number;
  noResponseActivity: number;
  fullAmplitude: number;
  variationFlat: number;
  variation3d: number;
  followLow: number;
  followHigh: number;
}

export const DEFAULT_FLASH_TUNING: Readonly<FlashTuning> = Object.freeze({
  minFrames: tuned('flashMinFrames'),
  minCoverage: tuned('flashMinCoverage'),
  noResponseActivity: tuned('flashNoResponseActivity'),
  fullAmplitude: tuned('flashFullAmplitude'),
  variationFlat: tuned('flashVariationFlat'),
  variation3d: tuned('flashVariation3d'),
  followLow: tuned('flashFollowLow'),
  followHigh: tuned('flashFollowHigh'),
});

/** The planar-check constants a site profile may override. */
export interface PlanarTuning {
  minMotion: number;
  residualFlat: number;
  residual3d: number;
  attackResidual: number;
  minFrames: number;
}

export const DEFAULT_PLANAR_TUNING: Readonly<PlanarTuning> = Object.freeze({
  minMotion: tuned('planarMinMotion'),
  residualFlat: tuned('planarResidualFlat'),
  residual3d: tuned('planarResidual3d'),
  attackResidual: tuned('planarAttackResidual'),
  minFrames: tuned('planarMinFrames'),
});
