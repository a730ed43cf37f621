// What the engine reports for one frame. Produced in src/main/engine, consumed by the pure decision core.

/** [x, y, w, h] in source-image pixels. */
export type BBox = [number, number, number, number];
/** [x, y, z] in source-image pixels (z relative, same scale as x). */
export type Point3 = [number, number, number];

export interface HeadPose {
  /** Degrees; positive when the person turns their head to their own left (image right in an unmirrored frame). */
  yaw: number;
  /** Degrees; positive looking up. */
  pitch: number;
  /** Degrees; positive tilting clockwise in the image. */
  roll: number;
}

export interface FaceQuality {
  /** Mean face luminance 0-100. */
  luminance: number;
  /** Variance-of-Laplacian sharpness mapped to 0-100. */
  sharpness: number;
  /** Face width as a fraction of the frame width, 0-1. */
  faceSize: number;
  /** 1 when the face centre is at the frame centre, 0 at the edge. */
  centering: number;
  /** Estimated fraction of the face covered, 0-1. */
  occlusion: number;
  /** Overall face quality 0-100. */
  score: number;
}

export interface PadEvidence {
  /** Fused presentation-attack score 0-100: high means live. */
  score: number;
  /** Each CNN's live probability 0-1 and each physical cue's value, by name (for audit and fitting). */
  components: Record<string, number>;
}

export interface FaceAnalysis {
  bbox: BBox;
  /** Detector confidence 0-1. */
  confidence: number;
  /** 468 mesh points, or 478 with irises when the iris model ran. */
  landmarks: Point3[];
  pose: HeadPose;
  /** Eye openness 0 (closed) - 1 (wide open), the person's own left and right. */
  eyes: { left: number; right: number };
  /** Smile 0-1. */
  smile: number;
  /** Mouth opening 0-1. */
  mouthOpen: number;
  quality: FaceQuality;
  pad: PadEvidence;
  /** Mean RGB 0-255 per face region, for flash analysis. */
  regions: Record<FaceRegion, [number, number, number]>;
}

export const FACE_REGIONS = ['forehead', 'left_cheek', 'right_cheek', 'nose', 'chin', 'background'] as const;
export type FaceRegion = (typeof FACE_REGIONS)[number];

export interface FrameAnalysis {
  width: number;
  height: number;
  /** Capture time of the frame in milliseconds (monotonic within a session). */
  timestampMs: number;
  /** Mean frame luminance 0-100. */
  frameLuminance: number;
  /** Faces, largest first. */
  faces: FaceAnalysis[];
  /** Milliseconds the engine spent on this frame, per stage. */
  timings: Record<string, number>;
}
