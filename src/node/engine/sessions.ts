// Opens the verified ONNX sessions one frame needs and wraps them in a FramePipeline.
import * as ort from 'onnxruntime-node';
import { CodedError } from '../../shared/errors';
import { readVerifiedModel } from './model-store';
import { FramePipeline, PIPELINE_MODELS, type PipelineConfig, type PipelineModel, type PipelineSessions } from './pipeline';

export interface PipelineLoadOptions {
  /** Threads per operator inside each session. Default 1: these models are small and cores are shared. */
  intraOpNumThreads?: number;
  /** Folder with manifest.json and the .onnx files (default: the repository's models/). */
  modelsDir?: string;
  config?: Partial<PipelineConfig>;
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

export async function loadPipeline(options: PipelineLoadOptions = {}): Promise<FramePipeline> {
  const entries = await Promise.all(PIPELINE_MODELS.map(async (name) => [name, await openSession(name, options)] as const));
  return new FramePipeline(Object.fromEntries(entries) as unknown as PipelineSessions, options.config);
}
