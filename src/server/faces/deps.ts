// What the face routes need: the face index, an engine that can describe faces, and a clock.
import { randomUUID } from 'node:crypto';
import type { FaceDescriber, LargestFaceDescription } from '../../node/engine/api';
import type { FrameAnalysis } from '../../shared/analysis';
import { CodedError } from '../../shared/errors';
import { bestAngleForRoll } from '../../liveness/passive';
import type { FaceIndex } from './face-index';

export interface FaceEngine extends FaceDescriber {
  analyzeImage(bytes: Uint8Array): Promise<FrameAnalysis>;
}

export interface FaceRouteDeps {
  faces: FaceIndex;
  /** Loaded on first use (the models take a moment); throws CodedError ENGINE_FAILURE when it cannot load. */
  engine: () => Promise<FaceEngine>;
  now: () => number;
}

export async function describe(deps: FaceRouteDeps, image: Uint8Array): Promise<LargestFaceDescription | null> {
  try {
    return await (await deps.engine()).describeLargestFace(image);
  } catch (err) {
    if (err instanceof CodedError) throw err;
    throw new CodedError('ENGINE_FAILURE', 'The face engine failed on this image.', { cause: err });
  }
}

/** Didit's per-image block: every face's box and confidence, the age of the largest one, and the best angle. */
export function imageBlock(description: LargestFaceDescription | null) {
  if (!description) return { entities: [], best_angle: 0 };
  return {
    entities: description.analysis.faces.map((face, i) => ({
      ...(i === 0 ? { age: Math.round(description.age * 100) / 100 } : {}),
      bbox: face.bbox.map((v) => Math.round(v)),
      confidence: Math.round(face.confidence * 1e4) / 1e4,
    })),
    best_angle: bestAngleForRoll(description.face.pose.roll),
  };
}

export const newRequestId = () => randomUUID();

/** A warning object in Didit's reduced standalone shape. */
export function warning(
  risk: string,
  logType: 'error' | 'warning' | 'information',
  short: string,
  long: string,
  additional: unknown = null,
) {
  return { risk, feature: 'LIVENESS', log_type: logType, short_description: short, long_description: long, additional_data: additional };
}
