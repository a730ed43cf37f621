// `npm run bench`: per-stage latency of the ONNX pipeline on real fixture faces at 640x480, and in the same run the
// same pipeline code with the same weights on their original runtime (tfjs, wasm backend), to print the ratio.
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { CodedError } from '../../shared/errors';
import type { RgbFrame } from '../../node/engine/api';
import { createEngine } from '../../node/engine/index';
import { resolveSourcePackage } from '../../build/model-build';
import { manifestEntry, modelsDir } from '../../node/engine/model-store';
import { FramePipeline, PIPELINE_MODELS, REDETECT_EVERY, type ModelSession, type PipelineSessions } from '../../node/engine/pipeline';
import { loadPipeline } from '../../node/engine/sessions';
import { TfjsReferenceModel } from '../../build/tfjs-reference';
import { decodeVideo } from '../../node/engine/video';

export const summary = 'per-stage latency against the original runtime';

const WIDTH = 640;
const HEIGHT = 480;
const STAGES = ['detect', 'landmarks', 'iris', 'pad', 'pad_cues', 'metrics', 'total'] as const;

const USAGE = `usage: liveness bench [--frames 200] [--json] [--reference-frames N] [--no-reference] [--worker-frames 50] [--threads 1]

  Runs the per-frame pipeline in-process on real fixture faces at ${WIDTH}x${HEIGHT} (fixture photos and clip
  frames, letterboxed) and reports median and p95 per stage; then runs the same pipeline code with the same weights
  on tfjs (wasm backend) on the same frames and prints the ratio; then the worker round trip (createEngine).
  --json prints one JSON object as the last line.`;

function fixturesDir(): string {
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  return process.env.LIVENESS_FIXTURES ?? path.resolve(repoRoot, '..', 'shared', 'fixtures');
}

async function toBenchFrame(input: sharp.Sharp): Promise<RgbFrame> {
  const { data, info } = await input
    .rotate()
    .resize(WIDTH, HEIGHT, { fit: 'contain', background: { r: 0, g: 0, b: 0 } })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}

function readLabels(): { dir: string; rows: string[][] } {
  const dir = fixturesDir();
  try {
    return { dir, rows: readFileSync(path.join(dir, 'labels.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')) };
  } catch {
    throw new CodedError('FILE_NOT_FOUND', `No fixtures at ${dir} (set LIVENESS_FIXTURES).`);
  }
}

/** Consecutive frames (15 fps) of the genuine clips, as a kiosk camera delivers them, for the tracked figure. */
async function clipSequences(count: number): Promise<RgbFrame[][]> {
  const { dir, rows } = readLabels();
  const clips = rows.filter((r) => r[2] === 'video' && r[1] === 'real');
  const per = Math.ceil(count / Math.max(1, clips.length));
  const sequences: RgbFrame[][] = [];
  for (const clip of clips) {
    const decoded = await decodeVideo(path.join(dir, clip[0]), { fps: 15, maxWidth: WIDTH, maxFrames: per });
    sequences.push(await Promise.all(decoded.map((f) => toBenchFrame(sharp(f.data, { raw: { width: f.width, height: f.height, channels: 3 } })))));
  }
  return sequences;
}

/** Fixture faces at 640x480: genuine and spoof photos/crops letterboxed, and frames sampled from the clips. */
export async function benchFrames(count: number): Promise<RgbFrame[]> {
  const { dir, rows } = readLabels();
  const toFrame = toBenchFrame;
  const stills = rows.filter((r) => (r[2] === 'image' || r[2] === 'crop') && (r[1] === 'real' || r[1] === 'spoof'));
  const clips = rows.filter((r) => r[2] === 'video');
  const frames: RgbFrame[] = [];
  // Half from clips (webcam-like), half from photos and crops.
  const perClip = Math.ceil(count / 2 / Math.max(1, clips.length));
  for (const clip of clips) {
    const decoded = await decodeVideo(path.join(dir, clip[0]), { fps: 4, maxWidth: WIDTH, maxFrames: perClip });
    for (const f of decoded) frames.push(await toFrame(sharp(f.data, { raw: { width: f.width, height: f.height, channels: 3 } })));
  }
  for (let i = 0; frames.length < count; i++) frames.push(await toFrame(sharp(path.join(dir, stills[i % stills.length][0]))));
  return frames.slice(0, count);
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

interface StageStats {
  median_ms: number;
  p95_ms: number;
}

const round = (v: number): number => Math.round(v * 100) / 100;

function stats(values: number[]): StageStats {
  const sorted = [...values].sort((a, b) => a - b);
  return { median_ms: round(percentile(sorted, 50)), p95_ms: round(percentile(sorted, 95)) };
}

/** Runs every frame through a pipeline and returns per-stage samples (ms). */
async function measure(pipeline: FramePipeline, frames: RgbFrame[], warmup: number, onProgress: (i: number) => void): Promise<Record<string, number[]>> {
  for (let i = 0; i < Math.min(warmup, frames.length); i++) await pipeline.analyze(frames[i]);
  const samples: Record<string, number[]> = Object.fromEntries(STAGES.map((s) => [s, []]));
  samples.faces = [];
  for (let i = 0; i < frames.length; i++) {
    const timings: Record<string, number> = {};
    const analysis = await pipeline.analyze(frames[i], {}, timings);
    for (const s of STAGES) samples[s].push(timings[s] ?? 0);
    samples.faces.push(analysis.faces.length);
    onProgress(i + 1);
  }
  return samples;
}

/** The tfjs original behind the ModelSession interface, so the reference runs the very same pipeline code. */
class TfjsSession implements ModelSession {
  readonly outputNames: readonly string[];
  constructor(
    private readonly model: TfjsReferenceModel,
    private readonly outputs: Record<string, string>,
  ) {
    this.outputNames = Object.keys(outputs);
  }

  async run(feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
    const input = feeds.input;
    const result = await this.model.run(input.data as Float32Array, [...input.dims], this.outputs);
    return Object.fromEntries(Object.entries(result).map(([name, r]) => [name, new ort.Tensor('float32', r.data, r.dims)]));
  }
}

async function referencePipeline(): Promise<FramePipeline> {
  const source = resolveSourcePackage();
  const dir = modelsDir();
  const sessions: Record<string, ModelSession> = {};
  for (const name of PIPELINE_MODELS) {
    const entry = manifestEntry(name, dir);
    const json = path.join(source.root, entry.source.dir, entry.source.files.find((f) => f.endsWith('.json')) ?? entry.source.files[0]);
    const model = await TfjsReferenceModel.load(json, 'wasm');
    sessions[name] = new TfjsSession(model, Object.fromEntries(Object.entries(entry.outputs).map(([k, v]) => [k, v.tf])));
  }
  return new FramePipeline(sessions as unknown as PipelineSessions);
}

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        frames: { type: 'string', default: '200' },
        'reference-frames': { type: 'string' },
        'worker-frames': { type: 'string', default: '50' },
        'no-reference': { type: 'boolean', default: false },
        threads: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    console.error(`liveness bench: ${(err as Error).message}\n\n${USAGE}`);
    return 1;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const frameCount = Number(values.frames);
  const refCount = values['reference-frames'] === undefined ? frameCount : Number(values['reference-frames']);
  const workerCount = Number(values['worker-frames']);
  if (![frameCount, refCount, workerCount].every((n) => Number.isInteger(n) && n >= 0) || frameCount < 1) {
    console.error(`liveness bench: frame counts must be positive integers\n\n${USAGE}`);
    return 1;
  }
  const log = (line: string): void => {
    if (!values.json) console.log(line);
    else console.error(line);
  };
  const progress = (label: string, total: number) => (i: number) => {
    if (process.stderr.isTTY && (i % 10 === 0 || i === total)) process.stderr.write(`\r${label} ${i}/${total}`);
    if (process.stderr.isTTY && i === total) process.stderr.write('\n');
  };

  const frames = await benchFrames(frameCount);
  const threads = availableParallelism();
  log(`bench: ${frames.length} frames of fixture faces at ${WIDTH}x${HEIGHT}; ${threads} cores (${cpus()[0]?.model ?? 'cpu'}); Node ${process.version}`);

  const intraOp = values.threads === undefined ? 1 : Number(values.threads);
  const onnx = await loadPipeline({ intraOpNumThreads: intraOp });
  const samples = await measure(onnx, frames, 10, progress('onnxruntime', frames.length));
  const facesFound = samples.faces.filter((n) => n > 0).length;
  const stages: Record<string, StageStats> = {};
  for (const s of STAGES) if (s !== 'total') stages[s] = stats(samples[s]);
  const pipeline = stats(samples.total);
  const withoutIris = stats(samples.total.map((t, i) => t - samples.iris[i]));
  const withoutCues = stats(samples.total.map((t, i) => t - samples.pad_cues[i]));

  log('');
  log(`onnxruntime-node ${ort.env.versions?.common ?? ''} (intra-op threads ${intraOp}), in-process, faces found on ${facesFound}/${frames.length} frames`);
  log('stage        median ms   p95 ms');
  for (const [name, st] of Object.entries(stages)) log(`${name.padEnd(12)} ${st.median_ms.toFixed(2).padStart(9)} ${st.p95_ms.toFixed(2).padStart(8)}`);
  log(`${'pipeline'.padEnd(12)} ${pipeline.median_ms.toFixed(2).padStart(9)} ${pipeline.p95_ms.toFixed(2).padStart(8)}`);
  log(`  without iris:      median ${withoutIris.median_ms.toFixed(2)} ms, p95 ${withoutIris.p95_ms.toFixed(2)} ms`);
  log(`  without PAD cues:  median ${withoutCues.median_ms.toFixed(2)} ms, p95 ${withoutCues.p95_ms.toFixed(2)} ms`);

  // Camera sessions: consecutive frames with a trackId reuse the last mesh instead of detecting on every frame.
  const sequences = await clipSequences(Math.min(frameCount, 150));
  const trackedTotals: number[] = [];
  const trackedNoIris: number[] = [];
  let trackedFound = 0;
  for (const [k, sequence] of sequences.entries()) {
    for (const [i, frame] of sequence.entries()) {
      const timings: Record<string, number> = {};
      const analysis = await onnx.analyze(frame, { trackId: `bench-${k}`, timestampMs: i * 66 }, timings);
      if (i < 3) continue; // warm-up and the first detection of the session
      trackedTotals.push(timings.total);
      trackedNoIris.push(timings.total - (timings.iris ?? 0));
      if (analysis.faces.length) trackedFound++;
    }
  }
  const tracked = stats(trackedTotals);
  const trackedWithoutIris = stats(trackedNoIris);
  log(`tracked camera frames (trackId, detector every ${REDETECT_EVERY}th frame): median ${tracked.median_ms.toFixed(2)} ms, p95 ${tracked.p95_ms.toFixed(2)} ms; without iris median ${trackedWithoutIris.median_ms.toFixed(2)} ms; faces on ${trackedFound}/${trackedTotals.length}`);

  let reference: { median_ms: number; p95_ms: number; stages: Record<string, StageStats>; frames: number } | null = null;
  let ratio: number | null = null;
  let modelRatio: number | null = null;
  if (!values['no-reference'] && refCount > 0) {
    const refFrames = frames.slice(0, refCount);
    const tfjs = await referencePipeline();
    const ref = await measure(tfjs, refFrames, 3, progress('tfjs-wasm', refFrames.length));
    const refStages: Record<string, StageStats> = {};
    for (const s of STAGES) if (s !== 'total') refStages[s] = stats(ref[s]);
    reference = { ...stats(ref.total), stages: refStages, frames: refFrames.length };
    // Same frames for both: compare medians over the frames both runs saw.
    const onnxSame = stats(samples.total.slice(0, refFrames.length));
    ratio = round(reference.median_ms / onnxSame.median_ms);
    const modelTime = (s: Record<string, number[]>, i: number): number => s.total[i] - s.pad_cues[i] - s.metrics[i];
    const modelOnnx = stats(refFrames.map((_, i) => modelTime(samples, i)));
    const modelRef = stats(refFrames.map((_, i) => modelTime(ref, i)));
    modelRatio = round(modelRef.median_ms / modelOnnx.median_ms);
    log('');
    log(`tfjs ${'4.22'} wasm backend (single thread; same pipeline code, same weights, same ${refFrames.length} frames)`);
    log('stage        median ms   p95 ms   ratio (tfjs/onnx median)');
    for (const [name, st] of Object.entries(refStages)) {
      const o = stats(samples[name].slice(0, refFrames.length)).median_ms;
      log(`${name.padEnd(12)} ${st.median_ms.toFixed(2).padStart(9)} ${st.p95_ms.toFixed(2).padStart(8)}   ${o > 0 ? (st.median_ms / o).toFixed(1) + 'x' : '-'}`);
    }
    log(`${'pipeline'.padEnd(12)} ${reference.median_ms.toFixed(2).padStart(9)} ${reference.p95_ms.toFixed(2).padStart(8)}   ${ratio}x`);
    log(`  model stages only (pipeline minus PAD cues and metrics, identical JS in both): ${modelRatio}x`);
  }

  let worker: { median_ms: number; p95_ms: number; frames: number; transport_median_ms: number } | null = null;
  if (workerCount > 0) {
    const engine = await createEngine();
    try {
      const wFrames = frames.slice(0, workerCount);
      // The worker's code warms up (JIT) on its own, like the in-process run above.
      for (let i = 0; i < Math.min(10, wFrames.length); i++) await engine.analyzeFrame(wFrames[i]);
      const trips: number[] = [];
      const transport: number[] = [];
      for (const f of wFrames) {
        const t = performance.now();
        const analysis = await engine.analyzeFrame(f);
        const trip = performance.now() - t;
        trips.push(trip);
        transport.push(trip - (analysis.timings.total ?? 0));
      }
      worker = { ...stats(trips), frames: wFrames.length, transport_median_ms: stats(transport).median_ms };
      log('');
      log(`worker round trip (createEngine().analyzeFrame: copy, transfer, analysis, result back): median ${worker.median_ms} ms, p95 ${worker.p95_ms} ms over ${wFrames.length} frames; of which messaging median ${worker.transport_median_ms} ms`);
    } finally {
      await engine.close();
    }
  }

  const result = {
    frames: frames.length,
    resolution: `${WIDTH}x${HEIGHT}`,
    faces_found: facesFound,
    pipeline,
    pipeline_without_iris: withoutIris,
    pipeline_without_pad_cues: withoutCues,
    pipeline_tracked: { ...tracked, frames: trackedTotals.length, faces_found: trackedFound },
    pipeline_tracked_without_iris: trackedWithoutIris,
    stages,
    reference: reference ? { runtime: 'tfjs-wasm', ...reference } : null,
    ratio,
    model_ratio: modelRatio,
    worker_round_trip: worker,
    targets: { median_ms: 8, ratio: 5 },
  };
  if (values.json) console.log(JSON.stringify(result));
  return 0;
}
