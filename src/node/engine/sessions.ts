// Opens the verified ONNX sessions one frame needs and wraps them in a FramePipeline.
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import { CodedError } from '../../shared/errors';
import { tuned } from '../../shared/tunables';
import { readVerifiedModel } from './model-store';
import {
  FramePipeline,
  PIPELINE_MODELS,
  type ModelSession,
  type PipelineConfig,
  type PipelineModel,
  type PipelineSessions,
} from './pipeline';
import { SplitBatchSession } from './split-batch';

export interface PipelineLoadOptions {
  /** Threads per operator inside each session. Default 1: these models are small and cores are shared. */
  intraOpNumThreads?: number;
  /** Folder with manifest.json and the .onnx files (default: the repository's models/). */
  modelsDir?: string;
  config?: Partial<PipelineConfig>;
  /**
   * Share the iris model's two eyes between a helper thread and the frame's thread, beside the face's PAD work
   * (SplitBatchSession). Default: when the machine has at least TUNABLES.irisThreadMinCores cores.
   */
  irisThread?: boolean;
}

/** The session options every pipeline model opens with (the bench's int8 comparison uses the same). */
export function sessionOptions(intraOpNumThreads = 1): ort.InferenceSession.SessionOptions {
  return {
    logSeverityLevel: 3,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads,
    interOpNumThreads: 1,
    // Spinning thread-pool workers burn the shared cores between the many short runs of a frame.
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
}

/** A session over the sha256-verified bytes, tuned for small models on a busy machine. */
export async function openSession(name: PipelineModel, options: PipelineLoadOptions = {}): Promise<ort.InferenceSession> {
  // The converter already emits onnxruntime-friendly graphs (PRelu decomposed): the verified bytes load as they are.
  const bytes = await readVerifiedModel(name, { dir: options.modelsDir });
  try {
    return await ort.InferenceSession.create(bytes, sessionOptions(options.intraOpNumThreads ?? 1));
  } catch (err) {
    throw new CodedError('ENGINE_FAILURE', `onnxruntime could not open model "${name}": ${(err as Error).message}`, { cause: err });
  }
}

/** The iris model's batch: both eyes of a face. */
const IRIS_BATCH = 2;

/** Whether a pipeline opened without `irisThread` runs its iris model on a thread of its own on this machine. */
export function irisThreadByDefault(): boolean {
  return availableParallelism() >= tuned('irisThreadMinCores');
}

export async function loadPipeline(options: PipelineLoadOptions = {}): Promise<FramePipeline> {
  const irisThread = options.irisThread ?? irisThreadByDefault();
  const load = { modelsDir: options.modelsDir, intraOpNumThreads: options.intraOpNumThreads };
  const open = (name: PipelineModel): Promise<ModelSession> =>
    name === 'iris' && irisThread ? SplitBatchSession.open({ model: name, maxItems: IRIS_BATCH, load }) : openSession(name, options);
  const entries = await Promise.all(PIPELINE_MODELS.map(async (name) => [name, await open(name)] as const));
  return new FramePipeline(Object.fromEntries(entries) as unknown as PipelineSessions, options.config);
}
