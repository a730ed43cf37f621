// The bench's int8 section: each pipeline model quantized (QDQ, src/build/convert/quantize.ts) against its float
// build, on the very inputs the pipeline feeds it on the bench frames: half calibrate, the other half are timed
// (float and int8 interleaved, input by input) and compared output by output.
import * as ort from 'onnxruntime-node';
import type { RgbFrame } from '../../node/engine/api';
import { manifestEntry, readVerifiedModel } from '../../node/engine/model-store';
import { FramePipeline, PIPELINE_MODELS, type ModelSession, type PipelineModel, type PipelineSessions } from '../../node/engine/pipeline';
import { sessionOptions } from '../../node/engine/sessions';
import { calibrate, quantizeQdq, QUANTIZATION_SCHEME } from '../../build/convert/quantize';

/** Inputs per model for calibration and as many again for the comparison (enough for a steady median). */
const MAX_INPUTS_PER_HALF = 40;
/** Timed passes over the held-out inputs (float and int8 alternate input by input). */
const TIMED_PASSES = 3;

export interface Int8ModelResult {
  calibration_inputs: number;
  test_inputs: number;
  float_median_ms: number;
  int8_median_ms: number;
  /** float / int8 median: above 1 the int8 model is faster. */
  speedup: number;
  /** Largest |int8 - float| per output over the held-out inputs. */
  max_abs_diff: Record<string, number>;
  /** The float build's parity tolerance against tfjs (models/manifest.json), for scale. */
  float_parity_tolerance: number;
  bytes: { float: number; int8: number };
}

export interface Int8Result {
  scheme: string;
  models: Partial<Record<PipelineModel, Int8ModelResult>>;
}

const round = (v: number, digits = 2): number => Number(v.toFixed(digits));
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[(sorted.length - 1) >> 1] : 0;
};

/** What the pipeline feeds each model on these frames (copies: the pipeline reuses its input buffers). */
async function recordInputs(frames: RgbFrame[], floatSessions: Record<PipelineModel, ort.InferenceSession>): Promise<Record<PipelineModel, ort.Tensor[]>> {
  const recorded = Object.fromEntries(PIPELINE_MODELS.map((m) => [m, [] as ort.Tensor[]])) as Record<PipelineModel, ort.Tensor[]>;
  const sessions = Object.fromEntries(PIPELINE_MODELS.map((name): [PipelineModel, ModelSession] => [name, {
    outputNames: floatSessions[name].outputNames,
    run: (feeds) => {
      const input = feeds.input;
      recorded[name].push(new ort.Tensor('float32', Float32Array.from(input.data as Float32Array), input.dims));
      return floatSessions[name].run(feeds);
    },
  }]));
  const pipeline = new FramePipeline(sessions as PipelineSessions);
  for (const frame of frames) await pipeline.analyze(frame);
  return recorded;
}

export async function measureInt8(frames: RgbFrame[], intraOpNumThreads: number, onModel: (name: string) => void = () => {}): Promise<Int8Result> {
  const options = sessionOptions(intraOpNumThreads);
  const floatBytes = {} as Record<PipelineModel, Uint8Array>;
  const floatSessions = {} as Record<PipelineModel, ort.InferenceSession>;
  for (const name of PIPELINE_MODELS) {
    floatBytes[name] = await readVerifiedModel(name);
    floatSessions[name] = await ort.InferenceSession.create(floatBytes[name], options);
  }
  const recorded = await recordInputs(frames, floatSessions);
  const models: Int8Result['models'] = {};
  for (const name of PIPELINE_MODELS) {
    const inputs = recorded[name];
    // Even inputs calibrate, odd ones are held out: a model is never judged on what set its ranges.
    const calibration = inputs.filter((_, i) => i % 2 === 0).slice(0, MAX_INPUTS_PER_HALF);
    const held = inputs.filter((_, i) => i % 2 === 1).slice(0, MAX_INPUTS_PER_HALF);
    if (!calibration.length || !held.length) continue;
    onModel(name);
    const int8Bytes = quantizeQdq(floatBytes[name], await calibrate(floatBytes[name], calibration));
    const int8 = await ort.InferenceSession.create(int8Bytes, options);
    const float = floatSessions[name];
    const times = { float: [] as number[], int8: [] as number[] };
    const worst: Record<string, number> = {};
    try {
      for (let pass = 0; pass < TIMED_PASSES + 1; pass++) {
        for (const input of held) {
          let t = performance.now();
          const a = await float.run({ input });
          const floatMs = performance.now() - t;
          t = performance.now();
          const b = await int8.run({ input });
          const int8Ms = performance.now() - t;
          // The first pass warms both sessions up and compares the outputs; the rest are timed.
          if (pass > 0) {
            times.float.push(floatMs);
            times.int8.push(int8Ms);
            continue;
          }
          for (const output of float.outputNames) {
            const x = a[output].data as Float32Array;
            const y = b[output].data as Float32Array;
            let diff = 0;
            for (let i = 0; i < x.length; i++) diff = Math.max(diff, Math.abs(x[i] - y[i]));
            worst[output] = Math.max(worst[output] ?? 0, diff);
          }
        }
      }
    } finally {
      await int8.release();
    }
    const floatMs = median(times.float);
    const int8Ms = median(times.int8);
    models[name] = {
      calibration_inputs: calibration.length,
      test_inputs: held.length,
      float_median_ms: round(floatMs, 3),
      int8_median_ms: round(int8Ms, 3),
      speedup: round(floatMs / int8Ms),
      max_abs_diff: Object.fromEntries(Object.entries(worst).map(([k, v]) => [k, Number(v.toPrecision(3))])),
      float_parity_tolerance: manifestEntry(name).parity.tolerance,
      bytes: { float: floatBytes[name].length, int8: int8Bytes.length },
    };
  }
  for (const session of Object.values(floatSessions)) await session.release();
  return { scheme: QUANTIZATION_SCHEME, models };
}
