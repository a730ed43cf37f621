// Face identity: an aligned crop from the 478-point mesh, the faceres network's 1024-d descriptor (L2-normalised),
// and its age head. The embedding is biometric data: callers keep it encrypted at rest and never log it.
import * as ort from 'onnxruntime-node';
import type { Point3 } from '../../shared/analysis';
import { CodedError } from '../../shared/errors';
import type { RgbFrame } from './api';
import { sampleAffine, type Affine } from './image-ops';
import { readVerifiedModel } from './model-store';

/**
 * ArcFace's canonical 5-point layout in a 112x112 crop (image-left eye, image-right eye, nose tip, mouth corners):
 * the de-facto standard alignment target of face recognition crops.
 */
const TEMPLATE_112: readonly (readonly [number, number])[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

/** Mesh indices for the template points: eye centres are the means of their corner pairs (iris-free meshes work). */
const EYE_IMAGE_LEFT = [33, 133] as const;
const EYE_IMAGE_RIGHT = [362, 263] as const;
const NOSE_TIP = 1;
const MOUTH_IMAGE_LEFT = 61;
const MOUTH_IMAGE_RIGHT = 291;

export interface EmbeddingModelSpec {
  /** Catalogue name of the ONNX model. */
  model: 'faceres';
  /** Square input side in pixels. */
  size: number;
  /** value = pixel * scale + bias. */
  scale: number;
  bias: number;
  /**
   * How much wider than ArcFace's tight 112 crop the face is cut (1 = ArcFace's crop). Chosen by
   * `npx tsx tools/face-model-compare.ts` (best FNMR at FMR 1e-3 on the identity-labelled fixtures).
   */
  margin: number;
  /** Output tensor names. */
  embeddingOutput: string;
  ageOutput: string;
}

/** The shipped choice; see the README's face-identity section for the measured comparison. */
export const FACE_EMBEDDING_MODEL: EmbeddingModelSpec = {
  model: 'faceres',
  size: 224,
  scale: 1,
  bias: 0,
  margin: 1.25,
  embeddingOutput: 'global_pooling_Mean',
  ageOutput: 'age_pred_Softmax',
};

/** The five template points of a mesh, in source pixels. */
export function alignmentPoints(landmarks: readonly Point3[]): [number, number][] {
  if (landmarks.length < 468)
    throw new CodedError('INVALID_ARGUMENT', `Face alignment needs the 468-point mesh, not ${landmarks.length} points.`);
  const mean = (a: number, b: number): [number, number] => [
    (landmarks[a][0] + landmarks[b][0]) / 2,
    (landmarks[a][1] + landmarks[b][1]) / 2,
  ];
  return [
    mean(EYE_IMAGE_LEFT[0], EYE_IMAGE_LEFT[1]),
    mean(EYE_IMAGE_RIGHT[0], EYE_IMAGE_RIGHT[1]),
    [landmarks[NOSE_TIP][0], landmarks[NOSE_TIP][1]],
    [landmarks[MOUTH_IMAGE_LEFT][0], landmarks[MOUTH_IMAGE_LEFT][1]],
    [landmarks[MOUTH_IMAGE_RIGHT][0], landmarks[MOUTH_IMAGE_RIGHT][1]],
  ];
}

/**
 * The least-squares similarity (rotation, uniform scale, shift) taking crop pixels to source pixels so that the
 * template, widened by `margin` about its centre and scaled to `outSize`, lands on the mesh's five points.
 */
export function alignmentAffine(landmarks: readonly Point3[], outSize: number, margin: number): Affine {
  const source = alignmentPoints(landmarks);
  const k = outSize / 112;
  const template = TEMPLATE_112.map(([u, v]): [number, number] => [((u - 56) / margin + 56) * k, ((v - 56) / margin + 56) * k]);
  const n = template.length;
  let mu = 0,
    mv = 0,
    mx = 0,
    my = 0;
  for (let i = 0; i < n; i++) {
    mu += template[i][0] / n;
    mv += template[i][1] / n;
    mx += source[i][0] / n;
    my += source[i][1] / n;
  }
  let den = 0,
    sa = 0,
    sb = 0;
  for (let i = 0; i < n; i++) {
    const u = template[i][0] - mu,
      v = template[i][1] - mv,
      x = source[i][0] - mx,
      y = source[i][1] - my;
    den += u * u + v * v;
    sa += u * x + v * y;
    sb += u * y - v * x;
  }
  if (!(den > 0)) throw new CodedError('INVALID_ARGUMENT', 'Face alignment failed: the landmarks are degenerate.');
  const a = sa / den,
    b = sb / den;
  // x = a*u - b*v + c, y = b*u + a*v + f, about the centroids.
  return { a, b: -b, c: mx - a * mu + b * mv, d: b, e: a, f: my - b * mu - a * mv };
}

/** The aligned crop as the model's NHWC float input. */
export function alignedCrop(frame: RgbFrame, landmarks: readonly Point3[], spec: EmbeddingModelSpec = FACE_EMBEDDING_MODEL): Float32Array {
  const out = new Float32Array(spec.size * spec.size * 3);
  sampleAffine(frame, alignmentAffine(landmarks, spec.size, spec.margin), spec.size, spec.size, out, 0, spec.scale, spec.bias);
  return out;
}

export function l2Normalize(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const v of vector) sum += v * v;
  const norm = Math.sqrt(sum);
  if (!(norm > 0)) throw new CodedError('ENGINE_FAILURE', 'The face embedding is all zeros.');
  const out = new Float32Array(vector.length);
  for (let i = 0; i < vector.length; i++) out[i] = vector[i] / norm;
  return out;
}

/** Cosine similarity of two L2-normalised embeddings, in [-1, 1]. */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length)
    throw new CodedError('INVALID_ARGUMENT', `Embeddings of different sizes (${a.length}, ${b.length}) cannot be compared.`);
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return dot;
}

/** Age from faceres's 100-bin softmax (bins of 1 year): the expectation, robust to a flat top. */
export function ageFromSoftmax(probabilities: Float32Array): number {
  let total = 0,
    weighted = 0;
  for (let i = 0; i < probabilities.length; i++) {
    total += probabilities[i];
    weighted += probabilities[i] * i;
  }
  return total > 0 ? weighted / total : 0;
}

export interface FaceDescriptor {
  /** L2-normalised; biometric data. */
  embedding: Float32Array;
  /** Estimated age in years. */
  age: number;
}

/** One ONNX session of the embedding model; `describe` cuts the aligned crop and runs it. */
export class FaceEmbedder {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly spec: EmbeddingModelSpec,
  ) {}

  static async open(
    options: { modelsDir?: string; intraOpNumThreads?: number } = {},
    spec: EmbeddingModelSpec = FACE_EMBEDDING_MODEL,
  ): Promise<FaceEmbedder> {
    const bytes = await readVerifiedModel(spec.model, { dir: options.modelsDir });
    try {
      const session = await ort.InferenceSession.create(bytes, {
        logSeverityLevel: 3,
        graphOptimizationLevel: 'all',
        executionMode: 'sequential',
        intraOpNumThreads: options.intraOpNumThreads ?? 1,
        interOpNumThreads: 1,
      });
      return new FaceEmbedder(session, spec);
    } catch (err) {
      throw new CodedError('ENGINE_FAILURE', `onnxruntime could not open model "${spec.model}": ${(err as Error).message}`, { cause: err });
    }
  }

  async describe(frame: RgbFrame, landmarks: readonly Point3[]): Promise<FaceDescriptor> {
    const input = alignedCrop(frame, landmarks, this.spec);
    const tensor = new ort.Tensor('float32', input, [1, this.spec.size, this.spec.size, 3]);
    const out = await this.session.run({ input: tensor });
    const embedding = out[this.spec.embeddingOutput]?.data as Float32Array | undefined;
    const age = out[this.spec.ageOutput]?.data as Float32Array | undefined;
    if (!embedding || !age)
      throw new CodedError('ENGINE_FAILURE', `Model "${this.spec.model}" did not return its embedding and age outputs.`);
    return { embedding: l2Normalize(embedding), age: ageFromSoftmax(age) };
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
