// `npm run bench`: per-stage latency of the ONNX pipeline on real fixture faces at 640x480 and, in turns of blocks in the
// same run, the same pipeline code on the same weights in their original runtime (tfjs-wasm) and the open peer
// @vladmandic/human (tfjs-wasm, its own face pipeline); then the worker round trip, start-up, memory, decision
// latency and guidance CPU (probes in fresh child processes). Writes artifacts/bench.json and warns on slowdowns.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import type { RgbFrame } from '../../node/engine/api';
import { createEngine } from '../../node/engine/index';
import { resolveSourcePackage } from '../../build/model-build';
import { HumanPeer } from '../../build/human-peer';
import { manifestEntry, modelsDir } from '../../node/engine/model-store';
import { FramePipeline, PIPELINE_MODELS, REDETECT_EVERY, type ModelSession, type PipelineSessions } from '../../node/engine/pipeline';
import { irisThreadByDefault, loadPipeline, openSession } from '../../node/engine/sessions';
import { TfjsReferenceModel } from '../../build/tfjs-reference';
import { BENCH_HEIGHT as HEIGHT, BENCH_WIDTH as WIDTH, benchFrames, clipSequences } from '../bench/frames';
import { DEFAULT_BLOCK_FRAMES, interleavedBlocks } from '../bench/schedule';
import { compareWithPrevious, describeSlowdown, MIN_COMPARABLE_MS, SLOWDOWN_WARN_FRACTION, whyNotComparable } from '../bench/history';
import { measureInt8, type Int8Result } from '../bench/quantization';
import { medianOfRuns } from '../bench/runs';
import { runBenchChild } from '../bench/child';
import { CodedError } from '../../shared/errors';
import { engineProbe, kioskProbe, runProbeChild, type EngineProbeResult, type KioskProbeResult } from '../bench/probes';

export const summary = 'per-stage latency against the original runtime and the peer library';

const STAGES = ['detect', 'landmarks', 'iris', 'pad', 'pad_cues', 'metrics', 'total'] as const;
/** Where the result is written (CI keeps artifacts/); the previous file there is the baseline for the warning. */
const DEFAULT_OUT = path.join('artifacts', 'bench.json');
/** A probe needs frames past its warm-up (200) and a few RSS samples (every 100) to say whether memory grows. */
const RSS_MIN_PROBE_FRAMES = 400;

const USAGE = `usage: liveness bench [--frames 200] [--json] [--reference-frames N] [--peer-frames N] [--no-reference] [--no-peer]
                      [--worker-frames 50] [--probe-frames 1000] [--no-probes] [--no-int8] [--threads 1]
                      [--block ${DEFAULT_BLOCK_FRAMES}] [--runs 1] [--out ${DEFAULT_OUT}] [--baseline FILE]

  Runs the per-frame pipeline in-process on real fixture faces at ${WIDTH}x${HEIGHT} (fixture photos and clip frames,
  letterboxed) and reports median and p95 per stage. On the same frames, in blocks of --block consecutive frames
  that alternate between the runtimes (each runs warm, as deployed, and machine load hits every runtime alike), it
  runs the same pipeline code with the same weights on tfjs (wasm backend) and @vladmandic/human (tfjs wasm, its own
  face pipeline, the same models enabled) and prints both ratios. Then the worker round trip (createEngine), and in
  fresh child processes model load, RSS over --probe-frames frames of the engine and of the kiosk service,
  last-frame-to-decision latency and the CPU share of live guidance at 30 fps.
  Unless --no-int8, every pipeline model is also quantized to int8 (QDQ) on the inputs the pipeline fed it and
  timed against its float build, with the largest output difference.
  With --runs N the whole bench runs N times, each in a fresh process, and every figure of the result is the median
  of the N runs' (a run on a shared machine can be slower or faster throughout; the performance history uses 3).
  The JSON result is written to --out; a median of ${MIN_COMPARABLE_MS} ms or more that is slower than the previous result
  there (or than --baseline FILE, e.g. the committed bench/baseline.json) by more than ${SLOWDOWN_WARN_FRACTION * 100}% prints a warning
  (never a failure). A previous result from other turns (--block), other frames (--frames), another number of runs
  (--runs) or another CPU is not compared; the bench says why.
  --json also prints it as the last line.`;

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

type Samples = Record<string, number[]>;

function emptySamples(): Samples {
  return Object.fromEntries([...STAGES, 'faces'].map((k) => [k, []]));
}

async function sampleFrame(pipeline: FramePipeline, frame: RgbFrame, into: Samples): Promise<void> {
  const timings: Record<string, number> = {};
  const analysis = await pipeline.analyze(frame, {}, timings);
  for (const s of STAGES) into[s].push(timings[s] ?? 0);
  into.faces.push(analysis.faces.length);
}

/**
 * Every frame through ONNX (as shipped, then with the iris inline), then (for the first refCount / peerCount frames)
 * through the tfjs reference and Human, in blocks of `block` consecutive frames that alternate between them: each runs
 * warm as it would deployed, and a burst of load from another process still slows all of them alike, so the ratios
 * hold (src/cli/bench/schedule.ts).
 */
async function measureInterleaved(
  frames: RgbFrame[],
  onnx: FramePipeline,
  inline: FramePipeline,
  reference: { pipeline: FramePipeline; count: number } | null,
  peer: { human: HumanPeer; count: number } | null,
  block: number,
  onProgress: (i: number) => void,
): Promise<{ onnx: Samples; inline: Samples; reference: Samples; peer: { ms: number[]; faces: number[] } }> {
  const warm = Math.min(5, frames.length);
  for (let i = 0; i < warm; i++) {
    await onnx.analyze(frames[i]);
    await inline.analyze(frames[i]);
    if (reference && i < reference.count) await reference.pipeline.analyze(frames[i]);
    if (peer && i < peer.count) await peer.human.detect(frames[i]);
  }
  const out = {
    onnx: emptySamples(),
    inline: emptySamples(),
    reference: emptySamples(),
    peer: { ms: [] as number[], faces: [] as number[] },
  };
  const counts = [frames.length, frames.length, reference?.count ?? 0, peer?.count ?? 0];
  for (const turn of interleavedBlocks(counts, block)) {
    for (let i = turn.from; i < turn.to; i++) {
      if (turn.runtime === 0) await sampleFrame(onnx, frames[i], out.onnx);
      else if (turn.runtime === 1) await sampleFrame(inline, frames[i], out.inline);
      else if (turn.runtime === 2) await sampleFrame(reference!.pipeline, frames[i], out.reference);
      else {
        const t = performance.now();
        out.peer.faces.push(await peer!.human.detect(frames[i]));
        out.peer.ms.push(performance.now() - t);
      }
    }
    if (turn.runtime === 0) onProgress(turn.to);
  }
  return out;
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

/** Per-model session open time in this process (the files are in the page cache by now: a warm start). */
async function sessionLoadTimes(): Promise<Record<string, number>> {
  const times: Record<string, number> = {};
  for (const name of PIPELINE_MODELS) {
    const t = performance.now();
    await openSession(name);
    times[name] = round(performance.now() - t);
  }
  return times;
}

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        frames: { type: 'string', default: '200' },
        'reference-frames': { type: 'string' },
        'peer-frames': { type: 'string' },
        'worker-frames': { type: 'string', default: '50' },
        'probe-frames': { type: 'string', default: '1000' },
        'no-reference': { type: 'boolean', default: false },
        'no-peer': { type: 'boolean', default: false },
        'no-probes': { type: 'boolean', default: false },
        'no-int8': { type: 'boolean', default: false },
        baseline: { type: 'string' },
        probe: { type: 'string' },
        threads: { type: 'string' },
        block: { type: 'string', default: String(DEFAULT_BLOCK_FRAMES) },
        runs: { type: 'string', default: '1' },
        out: { type: 'string', default: DEFAULT_OUT },
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
  const refCount = values['no-reference'] ? 0 : values['reference-frames'] === undefined ? frameCount : Number(values['reference-frames']);
  const peerCount = values['no-peer'] ? 0 : values['peer-frames'] === undefined ? frameCount : Number(values['peer-frames']);
  const workerCount = Number(values['worker-frames']);
  const probeCount = values['no-probes'] ? 0 : Number(values['probe-frames']);
  if (![frameCount, refCount, peerCount, workerCount, probeCount].every((n) => Number.isInteger(n) && n >= 0) || frameCount < 1) {
    console.error(`liveness bench: frame counts must be positive integers\n\n${USAGE}`);
    return 1;
  }
  const block = Number(values.block);
  if (!Number.isInteger(block) || block < 1) {
    console.error(`liveness bench: --block is a number of frames, 1 or more\n\n${USAGE}`);
    return 1;
  }
  const runCount = Number(values.runs);
  if (!Number.isInteger(runCount) || runCount < 1) {
    console.error(`liveness bench: --runs is a number of bench processes, 1 or more\n\n${USAGE}`);
    return 1;
  }
  // A probe child: one figure, as JSON on the last line of stdout.
  if (values.probe !== undefined) {
    if (values.probe !== 'engine' && values.probe !== 'kiosk') {
      console.error(`liveness bench: --probe is engine or kiosk\n\n${USAGE}`);
      return 1;
    }
    const frames = Math.max(RSS_MIN_PROBE_FRAMES, probeCount);
    console.log(JSON.stringify(values.probe === 'engine' ? await engineProbe(frames) : await kioskProbe(frames)));
    return 0;
  }
  const log = (line: string): void => {
    if (!values.json) console.log(line);
    else console.error(line);
  };
  if (runCount > 1) {
    // Every option but these goes to each run as given; each run writes its own result, compared with nothing.
    const own = new Set(['runs', 'out', 'baseline', 'json', 'help', 'probe']);
    const childArgs = Object.entries(values).flatMap(([name, value]) =>
      own.has(name) || value === false || value === undefined ? [] : value === true ? [`--${name}`] : [`--${name}`, String(value)],
    );
    const result = await medianOfBenchRuns(childArgs, runCount, log);
    writeResult(values.out, result, log, values.baseline);
    if (values.json) console.log(JSON.stringify(result));
    return 0;
  }
  const progress = (label: string, total: number) => (i: number) => {
    if (process.stderr.isTTY && (i % 10 === 0 || i === total)) process.stderr.write(`\r${label} ${i}/${total}`);
    if (process.stderr.isTTY && i === total) process.stderr.write('\n');
  };

  const measuredAt = new Date().toISOString();
  const loadBefore = loadavg()[0];
  const frames = await benchFrames(frameCount);
  const threads = availableParallelism();
  const cpuModel = cpus()[0]?.model ?? 'unknown';
  log(
    `bench: ${frames.length} frames of fixture faces at ${WIDTH}x${HEIGHT}; ${threads} cores (${cpuModel}); Node ${process.version}; load average ${loadBefore.toFixed(2)} at ${measuredAt}`,
  );

  const intraOp = values.threads === undefined ? 1 : Number(values.threads);
  const onnx = await loadPipeline({ intraOpNumThreads: intraOp });
  // The same engine with the iris model inline: what sharing it with a helper thread saves, and a one-core machine's figure.
  const inline = await loadPipeline({ intraOpNumThreads: intraOp, irisThread: false });
  const sessionLoadMs = await sessionLoadTimes();
  const reference = refCount > 0 ? { pipeline: await referencePipeline(), count: Math.min(refCount, frames.length) } : null;
  const peer = peerCount > 0 ? { human: await HumanPeer.load('still'), count: Math.min(peerCount, frames.length) } : null;
  const runs = await measureInterleaved(frames, onnx, inline, reference, peer, block, progress('frames', frames.length));
  const samples = runs.onnx;
  const pipelineInline = stats(runs.inline.total);
  const irisThreaded = irisThreadByDefault();

  const facesFound = samples.faces.filter((n) => n > 0).length;
  const stages: Record<string, StageStats> = {};
  for (const s of STAGES) if (s !== 'total') stages[s] = stats(samples[s]);
  const pipeline = stats(samples.total);
  const withoutIris = stats(samples.total.map((t, i) => t - samples.iris[i]));
  const withoutCues = stats(samples.total.map((t, i) => t - samples.pad_cues[i]));

  log('');
  log(
    `onnxruntime-node ${ort.env.versions?.common ?? ''} (intra-op threads ${intraOp}), in-process, faces found on ${facesFound}/${frames.length} frames`,
  );
  log('stage        median ms   p95 ms');
  for (const [name, st] of Object.entries(stages))
    log(`${name.padEnd(12)} ${st.median_ms.toFixed(2).padStart(9)} ${st.p95_ms.toFixed(2).padStart(8)}`);
  log(
    `${'pipeline'.padEnd(12)} ${pipeline.median_ms.toFixed(2).padStart(9)} ${pipeline.p95_ms.toFixed(2).padStart(8)}   (a still: the detector on every frame)`,
  );
  log(
    `  iris inline:       median ${pipelineInline.median_ms.toFixed(2)} ms, p95 ${pipelineInline.p95_ms.toFixed(2)} ms (the same engine with the iris model on the frame's own thread; faces found on ${runs.inline.faces.filter((n) => n > 0).length}/${frames.length}; as shipped here the two eyes are ${irisThreaded ? 'shared with a helper thread' : 'run inline'})`,
  );
  log(`  without iris:      median ${withoutIris.median_ms.toFixed(2)} ms, p95 ${withoutIris.p95_ms.toFixed(2)} ms`);
  log(`  without PAD cues:  median ${withoutCues.median_ms.toFixed(2)} ms, p95 ${withoutCues.p95_ms.toFixed(2)} ms`);

  // Camera sessions: consecutive frames with a trackId reuse the last mesh instead of detecting on every frame.
  const sequences = await clipSequences(Math.min(frameCount, 150));
  const trackedTotals: number[] = [];
  const trackedNoIris: number[] = [];
  const trackedInline: number[] = [];
  let trackedFound = 0;
  // Each clip is a camera session: as shipped, then with the iris inline, in blocks like the stills above.
  for (const [k, sequence] of sequences.entries()) {
    for (const turn of interleavedBlocks([sequence.length, sequence.length], block)) {
      for (let i = turn.from; i < turn.to; i++) {
        const timings: Record<string, number> = {};
        const pipeline = turn.runtime === 0 ? onnx : inline;
        const analysis = await pipeline.analyze(sequence[i], { trackId: `bench-${k}`, timestampMs: i * 66 }, timings);
        if (i < 3) continue; // warm-up and the first detection of the session
        if (turn.runtime === 1) {
          trackedInline.push(timings.total);
          continue;
        }
        trackedTotals.push(timings.total);
        trackedNoIris.push(timings.total - (timings.iris ?? 0));
        if (analysis.faces.length) trackedFound++;
      }
    }
  }
  const tracked = stats(trackedTotals);
  const trackedWithoutIris = stats(trackedNoIris);
  const trackedIrisInline = stats(trackedInline);
  await inline.close();
  log(
    `tracked camera frames (trackId, detector every ${REDETECT_EVERY}th frame): median ${tracked.median_ms.toFixed(2)} ms, p95 ${tracked.p95_ms.toFixed(2)} ms; without iris median ${trackedWithoutIris.median_ms.toFixed(2)} ms; iris inline median ${trackedIrisInline.median_ms.toFixed(2)} ms; faces on ${trackedFound}/${trackedTotals.length}`,
  );

  let referenceResult: { median_ms: number; p95_ms: number; stages: Record<string, StageStats>; frames: number } | null = null;
  let ratio: number | null = null;
  let modelRatio: number | null = null;
  if (reference) {
    const ref = runs.reference;
    const n = reference.count;
    const refStages: Record<string, StageStats> = {};
    for (const s of STAGES) if (s !== 'total') refStages[s] = stats(ref[s]);
    referenceResult = { ...stats(ref.total), stages: refStages, frames: n };
    // Same frames for both: compare medians over the frames both runs saw.
    const onnxSame = stats(samples.total.slice(0, n));
    ratio = round(referenceResult.median_ms / onnxSame.median_ms);
    const modelTime = (s: Samples, i: number): number => s.total[i] - s.pad_cues[i] - s.metrics[i];
    const modelOnnx = stats(ref.total.map((_, i) => modelTime(samples, i)));
    const modelRef = stats(ref.total.map((_, i) => modelTime(ref, i)));
    modelRatio = round(modelRef.median_ms / modelOnnx.median_ms);
    log('');
    log(`tfjs 4.22 wasm backend (single thread; same pipeline code, same weights, same ${n} frames, in turns of ${block})`);
    log('stage        median ms   p95 ms   ratio (tfjs/onnx median)');
    for (const [name, st] of Object.entries(refStages)) {
      const o = stats(samples[name].slice(0, n)).median_ms;
      log(
        `${name.padEnd(12)} ${st.median_ms.toFixed(2).padStart(9)} ${st.p95_ms.toFixed(2).padStart(8)}   ${o > 0 ? (st.median_ms / o).toFixed(1) + 'x' : '-'}`,
      );
    }
    log(
      `${'pipeline'.padEnd(12)} ${referenceResult.median_ms.toFixed(2).padStart(9)} ${referenceResult.p95_ms.toFixed(2).padStart(8)}   ${ratio}x`,
    );
    log(`  model stages only (pipeline minus PAD cues and metrics, identical JS in both): ${modelRatio}x`);
  }

  let peerResult: (StageStats & { library: string; frames: number; faces_found: number; load_ms: number }) | null = null;
  let peerRatio: number | null = null;
  if (peer) {
    const n = peer.count;
    peerResult = {
      ...stats(runs.peer.ms),
      library: peer.human.description,
      frames: n,
      faces_found: runs.peer.faces.filter((f) => f > 0).length,
      load_ms: Math.round(peer.human.loadMs),
    };
    peerRatio = round(peerResult.median_ms / stats(samples.total.slice(0, n)).median_ms);
    log('');
    log(
      `peer: ${peerResult.library}, its own face pipeline (BlazeFace, FaceMesh, Iris, antispoof, liveness; every model on every frame), same ${n} frames, interleaved`,
    );
    log(
      `  median ${peerResult.median_ms} ms, p95 ${peerResult.p95_ms} ms, faces found on ${peerResult.faces_found}/${n}; the engine is ${peerRatio}x faster (target 7x); against the same weights on tfjs-wasm ${ratio ?? '-'}x`,
    );
  }

  let int8: Int8Result | null = null;
  if (!values['no-int8']) {
    int8 = await measureInt8(frames, intraOp, (name) => progress(`int8 ${name}`, 1)(1));
    log('');
    log(`int8 (${int8.scheme}); each model on the inputs the pipeline fed it, half calibrating, half timed:`);
    log('model            float ms   int8 ms   speedup   max |int8 - float| per output (float parity tolerance)');
    for (const [name, m] of Object.entries(int8.models)) {
      log(
        `${name.padEnd(16)} ${m.float_median_ms.toFixed(3).padStart(8)} ${m.int8_median_ms.toFixed(3).padStart(9)} ${(m.speedup.toFixed(2) + 'x').padStart(9)}   ${Object.entries(
          m.max_abs_diff,
        )
          .map(([o, d]) => `${o} ${d}`)
          .join(', ')} (${m.float_parity_tolerance})`,
      );
    }
  }

  let worker: Record<string, number> | null = null;
  let engineLoadMs: number | null = null;
  if (workerCount > 0) {
    const engine = await createEngine();
    engineLoadMs = Math.round(engine.modelLoadMs);
    try {
      const wFrames = frames.slice(0, workerCount);
      // The worker's code warms up (JIT) on its own, like the in-process run above.
      for (let i = 0; i < Math.min(10, wFrames.length); i++) await engine.analyzeFrame(wFrames[i]);
      const parts: Record<string, number[]> = { trip: [], analysis: [], to_worker: [], from_worker: [], in_process: [] };
      // The same frames in this thread, in blocks like the stills: what the trip costs beyond the analysis itself.
      for (const turn of interleavedBlocks([wFrames.length, wFrames.length], block)) {
        for (const f of wFrames.slice(turn.from, turn.to)) {
          if (turn.runtime === 1) {
            const timings: Record<string, number> = {};
            await onnx.analyze(f, {}, timings);
            parts.in_process.push(timings.total);
            continue;
          }
          const t = performance.now();
          const analysis = await engine.analyzeFrame(f);
          parts.trip.push(performance.now() - t);
          parts.analysis.push(analysis.timings.total ?? 0);
          parts.to_worker.push(analysis.timings.to_worker ?? 0);
          parts.from_worker.push(analysis.timings.from_worker ?? 0);
        }
      }
      const med = (k: string) => stats(parts[k]).median_ms;
      worker = {
        median_ms: med('trip'),
        p95_ms: stats(parts.trip).p95_ms,
        frames: wFrames.length,
        analysis_in_worker_median_ms: med('analysis'),
        to_worker_median_ms: med('to_worker'),
        from_worker_median_ms: med('from_worker'),
        transport_median_ms: round(stats(parts.trip.map((t, i) => t - parts.analysis[i])).median_ms),
        same_frames_in_process_median_ms: med('in_process'),
      };
      log('');
      log(
        `worker round trip (createEngine().analyzeFrame): median ${worker.median_ms} ms (p95 ${worker.p95_ms}) over ${wFrames.length} frames = analysis in the worker ${worker.analysis_in_worker_median_ms} ms + messaging ${worker.transport_median_ms} ms (to the worker ${worker.to_worker_median_ms}, back ${worker.from_worker_median_ms}); the same frames in-process ${worker.same_frames_in_process_median_ms} ms`,
      );
    } finally {
      await engine.close();
    }
  }

  // The worker round trip above compares with this pipeline; nothing after it does.
  await onnx.close();

  let engineProbeResult: EngineProbeResult | null = null;
  let kioskProbeResult: KioskProbeResult | null = null;
  if (probeCount > 0) {
    log('');
    log(`probes: ${probeCount} frames through a fresh engine process, then through a fresh kiosk service process …`);
    engineProbeResult = (await runProbeChild('engine', probeCount)) as EngineProbeResult;
    kioskProbeResult = (await runProbeChild('kiosk', probeCount)) as KioskProbeResult;
    const e = engineProbeResult;
    const k = kioskProbeResult;
    log(
      `model load: engine start ${e.engine_start_ms} ms (sessions ${e.model_load_ms} ms); kiosk service start ${k.kiosk_start_ms} ms; per model (warm) ${Object.entries(
        sessionLoadMs,
      )
        .map(([m, v]) => `${m} ${v}`)
        .join(', ')} ms`,
    );
    for (const [name, m] of [
      ['engine', e.memory],
      ['kiosk service', k.memory],
    ] as const) {
      log(
        `RSS ${name}: ${m.rss_mb_after_load} MB after load, ${m.rss_mb_after_warmup} MB after warm-up, ${m.rss_mb_at_end} MB after ${m.frames} frames: ${m.grows ? 'GROWS' : 'does not grow'} (${m.growth_mb >= 0 ? '+' : ''}${m.growth_mb} MB, tolerance ${m.tolerance_mb} MB)`,
      );
    }
    log(
      `last frame to decision (kiosk service, JPEG in, decision stored): ${Object.entries(k.decision_latency)
        .map(([mode, st]) => `${mode} median ${st.median_ms} ms (p95 ${st.p95_ms}, n ${st.n})`)
        .join('; ')}`,
    );
    const g = k.guidance;
    log(
      `live guidance at ${g.fps_offered} fps for ${g.seconds} s: ${g.frames_analysed}/${g.frames_offered} frames analysed (${g.frames_dropped_busy} dropped while busy); CPU ${g.cpu_percent_of_one_core}% of one core = ${g.cpu_percent_of_machine}% of the ${g.cores}-core machine; ${g.cpu_ms_per_analysed_frame} ms CPU per analysed frame, so every frame at ${g.fps_offered} fps would take ${g.cpu_percent_of_one_core_for_every_frame}% of one core`,
    );
  }

  const result = {
    measured_at: measuredAt,
    // bin/liveness.mjs runs the compiled output of `npm run build:node` when it is fresh, else the sources via tsx.
    started_from: import.meta.url.endsWith('.ts') ? 'TypeScript sources (tsx)' : 'compiled JavaScript (npm run build:node)',
    load_average: { start: round(loadBefore), end: round(loadavg()[0]) },
    cores: threads,
    // The CPU as the OS names it: medians from another CPU are not compared with these (src/cli/bench/history.ts).
    cpu: cpuModel,
    frames: frames.length,
    resolution: `${WIDTH}x${HEIGHT}`,
    // Runtimes take turns on blocks of this many consecutive frames (1: frame by frame, as before 2026-11-30 10:30).
    block_frames: block,
    faces_found: facesFound,
    pipeline,
    iris_thread: irisThreaded,
    pipeline_iris_inline: { ...pipelineInline, faces_found: runs.inline.faces.filter((n) => n > 0).length },
    pipeline_without_iris: withoutIris,
    pipeline_without_pad_cues: withoutCues,
    pipeline_tracked: { ...tracked, frames: trackedTotals.length, faces_found: trackedFound },
    pipeline_tracked_without_iris: trackedWithoutIris,
    pipeline_tracked_iris_inline: trackedIrisInline,
    stages,
    reference: referenceResult ? { runtime: 'tfjs-wasm', ...referenceResult } : null,
    ratio,
    model_ratio: modelRatio,
    peer: peerResult,
    ratio_vs_peer: peerRatio,
    worker_round_trip: worker,
    model_load_ms: {
      engine: engineProbeResult?.engine_start_ms ?? null,
      engine_sessions: engineProbeResult?.model_load_ms ?? engineLoadMs,
      kiosk_service: kioskProbeResult?.kiosk_start_ms ?? null,
      per_model_warm: sessionLoadMs,
      peer: peerResult?.load_ms ?? null,
    },
    memory: engineProbeResult && kioskProbeResult ? { engine: engineProbeResult.memory, kiosk_service: kioskProbeResult.memory } : null,
    decision_latency: kioskProbeResult?.decision_latency ?? null,
    guidance_cpu: kioskProbeResult?.guidance ?? null,
    int8,
    targets: { still_median_ms: 8, tracked_median_ms: 4, ratio_vs_peer: 7 },
  };
  writeResult(values.out, result, log, values.baseline);
  if (values.json) console.log(JSON.stringify(result));
  return 0;
}

/**
 * The bench run `runs` times, each in a fresh process with `args`, merged into one result whose every figure is the
 * median of the runs' figures (src/cli/bench/runs.ts).
 */
async function medianOfBenchRuns(args: string[], runs: number, log: (line: string) => void): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(path.join(tmpdir(), 'liveness-bench-runs-'));
  try {
    const results: Record<string, unknown>[] = [];
    for (let i = 1; i <= runs; i++) {
      const out = path.join(dir, `run-${i}.json`);
      const { code, stderr } = await runBenchChild([...args, '--json', '--out', out], 'keep');
      if (code !== 0 || !existsSync(out)) {
        process.stderr.write(stderr);
        throw new CodedError('ENGINE_FAILURE', `Bench run ${i} of ${runs} failed (exit code ${code}).`);
      }
      const run = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown> & { pipeline: StageStats; pipeline_tracked: StageStats };
      log(
        `bench: run ${i} of ${runs} (a fresh process): still median ${run.pipeline.median_ms} ms, tracked ${run.pipeline_tracked.median_ms} ms`,
      );
      results.push(run);
    }
    const merged = { ...(medianOfRuns(results) as Record<string, unknown>), runs };
    const m = merged as typeof merged & { pipeline: StageStats; pipeline_tracked: StageStats; stages: Record<string, StageStats> };
    log(
      `bench: median of the ${runs} runs: still ${m.pipeline.median_ms} ms (p95 ${m.pipeline.p95_ms}), tracked ${m.pipeline_tracked.median_ms} ms; stages ${Object.entries(
        m.stages,
      )
        .map(([name, st]) => `${name} ${st.median_ms}`)
        .join(', ')} ms`,
    );
    return merged;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Writes the result, after warning about every figure that slowed by more than 10% against the baseline (when given,
 * e.g. the committed bench/baseline.json in CI) or else the file it replaces.
 */
function writeResult(file: string, result: Record<string, unknown>, log: (line: string) => void, baseline?: string): void {
  let previous: { measured_at?: string } | undefined;
  const against = baseline ?? file;
  if (existsSync(against)) {
    try {
      previous = JSON.parse(readFileSync(against, 'utf8')) as { measured_at?: string };
    } catch {
      log(`bench: the previous result ${against} is not JSON; no comparison this time`);
    }
  } else if (baseline) {
    log(`bench: no baseline at ${baseline}; no comparison this time`);
  }
  const notComparable = previous ? whyNotComparable(previous, result) : undefined;
  if (previous && notComparable) {
    // stderr, like the warnings it stands in for.
    console.error(`bench: not compared with ${against} (${previous.measured_at ?? 'undated'}): ${notComparable}`);
    result.history = {
      compared_with: against,
      previous_measured_at: previous.measured_at ?? null,
      slowed: [],
      not_compared: notComparable,
    };
  } else if (previous) {
    const slow = compareWithPrevious(previous, result);
    // stderr, so the warning shows in CI's test output even with --json.
    for (const s of slow) console.error(describeSlowdown(s, previous.measured_at));
    if (!slow.length)
      log(
        `bench: no figure slowed by more than ${SLOWDOWN_WARN_FRACTION * 100}% against ${against} (${previous.measured_at ?? 'undated'})`,
      );
    result.history = { compared_with: against, previous_measured_at: previous.measured_at ?? null, slowed: slow };
  }
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  log(`bench: wrote ${file}`);
}
