// The engine's public surface. Implemented in this folder; used by the CLI, the kiosk host, Electron main and the server.
import type { FaceAnalysis, FrameAnalysis } from '../../shared/analysis';

/** A decoded frame: tightly packed RGB, 3 bytes a pixel, row-major. */
export interface RgbFrame {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface AnalyzeOptions {
  /** Capture time in ms; defaults to 0 for stills. */
  timestampMs?: number;
  /** Run the iris model too (478 points). Default true. */
  irises?: boolean;
  /**
   * Frames of one capture session share a trackId: the engine then reuses the previous frame's faces instead of
   * running the detector on every frame (it still detects every few frames and whenever a face is lost).
   */
  trackId?: string;
  /** analyzeImage: reject encoded images larger than this many bytes (default 5 MB). */
  maxBytes?: number;
  /**
   * analyzeFrame: hand the frame's buffer to the worker instead of copying it (zero-copy; the caller's
   * `frame.data` is detached afterwards). Default false: a copy is transferred.
   */
  transfer?: boolean;
}

export interface Engine {
  /** Decode an encoded still (jpeg, png, webp, tiff) after validating it, then analyse it. Throws CodedError. */
  analyzeImage(bytes: Uint8Array, options?: AnalyzeOptions): Promise<FrameAnalysis>;
  /** Analyse a raw RGB frame (video frames, camera frames). */
  analyzeFrame(frame: RgbFrame, options?: AnalyzeOptions): Promise<FrameAnalysis>;
  /** Model name -> "source package@version sha256-prefix", recorded in every result. */
  modelVersions(): Record<string, string>;
  close(): Promise<void>;
}

/** The largest face of a still with its identity descriptor (biometric data: keep encrypted, never log). */
export interface LargestFaceDescription {
  analysis: FrameAnalysis;
  face: FaceAnalysis;
  /** L2-normalised face embedding. */
  embedding: Float32Array;
  /** Estimated age in years. */
  age: number;
}

export interface FaceDescriber {
  /** Decode, analyse, and describe the largest face; null when the image holds no face. Throws CodedError. */
  describeLargestFace(bytes: Uint8Array, options?: AnalyzeOptions): Promise<LargestFaceDescription | null>;
}
