// BlazeFace post-processing (256x256 "back" and 128x128 "front" models): anchors, box + 6 keypoint decode, sigmoid,
// weighted NMS.
import type { Affine } from './image-ops';

export const DETECTOR_SIZE = 256;
/** The short-range (front camera) model: faces that fill a good share of the frame, a quarter of the pixels. */
export const FRONT_DETECTOR_SIZE = 128;

/** Keypoint order of the detector (subject's left/right). */
export const DETECTOR_KEYPOINTS = ['leftEye', 'rightEye', 'nose', 'mouth', 'leftEar', 'rightEar'] as const;

export interface Detection {
  /** Box corners in source-frame pixels. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  score: number;
  /** 6 keypoints [x, y] in source-frame pixels, DETECTOR_KEYPOINTS order. */
  keypoints: [number, number][];
}

/**
 * Anchor centres in input pixels: a 16x16 grid (2 per cell) then an 8x8 grid (6 per cell), row-major; strides are
 * 16 and 32 on the 256 model, 8 and 16 on the 128 model.
 */
export function generateAnchors(inputSize = DETECTOR_SIZE): Float32Array {
  const layers: [number, number][] = [
    [inputSize / 16, 2],
    [inputSize / 8, 6],
  ];
  const centres: number[] = [];
  for (const [stride, perCell] of layers) {
    const grid = Math.ceil(inputSize / stride);
    for (let gy = 0; gy < grid; gy++) {
      for (let gx = 0; gx < grid; gx++) {
        for (let k = 0; k < perCell; k++) centres.push(stride * (gx + 0.5), stride * (gy + 0.5));
      }
    }
  }
  return Float32Array.from(centres);
}

/**
 * Letterbox: pad the frame to a centred square, then scale to the detector input (no distortion). `fill` < 1
 * leaves a wider margin around the frame; `upsideDown` turns the input half a turn. The affine maps detector input
 * pixels to frame pixels, so detections decode straight into frame coordinates.
 */
export function letterboxAffine(width: number, height: number, inputSize = DETECTOR_SIZE, fill = 1, upsideDown = false): Affine {
  const side = Math.max(width, height) / fill;
  const s = side / inputSize;
  const c = -(side - width) / 2;
  const f = -(side - height) / 2;
  return upsideDown ? { a: -s, b: 0, c: c + side, d: 0, e: -s, f: f + side } : { a: s, b: 0, c, d: 0, e: s, f };
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

export interface RawDetectorOutputs {
  /** [n16] score logits, [n32] score logits, [n16*16] and [n32*16] regressors. */
  scores16: Float32Array;
  scores32: Float32Array;
  boxes16: Float32Array;
  boxes32: Float32Array;
}

/** Decode every anchor above `minScore` into source-frame coordinates via the letterbox affine. */
export function decodeDetections(raw: RawDetectorOutputs, anchors: Float32Array, toFrame: Affine, minScore: number): Detection[] {
  const out: Detection[] = [];
  const n16 = raw.scores16.length;
  const total = n16 + raw.scores32.length;
  // Logit threshold: skip the exp for the ~99% of anchors that are background.
  const minLogit = Math.log(minScore / (1 - minScore));
  for (let i = 0; i < total; i++) {
    const logit = i < n16 ? raw.scores16[i] : raw.scores32[i - n16];
    if (!(logit >= minLogit)) continue;
    const reg = i < n16 ? raw.boxes16 : raw.boxes32;
    const r = (i < n16 ? i : i - n16) * 16;
    const ax = anchors[2 * i];
    const ay = anchors[2 * i + 1];
    const cx = reg[r] + ax;
    const cy = reg[r + 1] + ay;
    const w = reg[r + 2];
    const h = reg[r + 3];
    if (!(w > 0 && h > 0)) continue;
    const map = (x: number, y: number): [number, number] => [
      toFrame.a * x + toFrame.b * y + toFrame.c,
      toFrame.d * x + toFrame.e * y + toFrame.f,
    ];
    const [xa, ya] = map(cx - w / 2, cy - h / 2);
    const [xb, yb] = map(cx + w / 2, cy + h / 2);
    const keypoints: [number, number][] = [];
    for (let k = 0; k < 6; k++) keypoints.push(map(reg[r + 4 + 2 * k] + ax, reg[r + 5 + 2 * k] + ay));
    // min/max: a rotated input (upside-down search) flips the corners.
    out.push({ x0: Math.min(xa, xb), y0: Math.min(ya, yb), x1: Math.max(xa, xb), y1: Math.max(ya, yb), score: sigmoid(logit), keypoints });
  }
  return out;
}

export function iou(a: Detection, b: Detection): number {
  const ix = Math.max(0, Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0));
  const iy = Math.max(0, Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0));
  const inter = ix * iy;
  const union = (a.x1 - a.x0) * (a.y1 - a.y0) + (b.x1 - b.x0) * (b.y1 - b.y0) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Weighted non-maximum suppression (MediaPipe's blending): each kept face is the score-weighted mean of the
 * candidates that overlap the best one, which steadies boxes and keypoints.
 */
export function weightedNms(candidates: Detection[], iouThreshold = 0.3, maxFaces = 10): Detection[] {
  const remaining = [...candidates].sort((p, q) => q.score - p.score);
  const kept: Detection[] = [];
  while (remaining.length && kept.length < maxFaces) {
    const best = remaining[0];
    const cluster: Detection[] = [];
    const rest: Detection[] = [];
    for (const c of remaining) (iou(best, c) > iouThreshold ? cluster : rest).push(c);
    let wsum = 0;
    const acc = { x0: 0, y0: 0, x1: 0, y1: 0 };
    const kps = best.keypoints.map(() => [0, 0] as [number, number]);
    for (const c of cluster) {
      wsum += c.score;
      acc.x0 += c.x0 * c.score;
      acc.y0 += c.y0 * c.score;
      acc.x1 += c.x1 * c.score;
      acc.y1 += c.y1 * c.score;
      c.keypoints.forEach(([x, y], k) => {
        kps[k][0] += x * c.score;
        kps[k][1] += y * c.score;
      });
    }
    kept.push({
      x0: acc.x0 / wsum,
      y0: acc.y0 / wsum,
      x1: acc.x1 / wsum,
      y1: acc.y1 / wsum,
      score: best.score,
      keypoints: kps.map(([x, y]) => [x / wsum, y / wsum] as [number, number]),
    });
    remaining.length = 0;
    remaining.push(...rest);
  }
  return kept;
}
