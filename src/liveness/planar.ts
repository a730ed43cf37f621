// Planar-attack check: the landmarks of a flat photo moved or tilted in front of the camera are related across frames
// by one homography; a turning head is not (the nose moves against the cheeks and the face edge). PURE.
//
// For every frame with enough shape change against the reference frame (a similarity transform does not explain it),
// fit one homography (normalised DLT, least squares via the 9x9 eigen-problem) from the reference landmarks to the
// frame's and measure the RMS reprojection residual relative to the face's size, minus the capture's own landmark
// jitter. A plane leaves only jitter; a 3D face leaves its parallax. score = 100 * clamp((r - PLANAR_RESIDUAL_FLAT) /
// (PLANAR_RESIDUAL_3D - PLANAR_RESIDUAL_FLAT)) on the 75th percentile excess residual r of the moving frames; null
// ("not measured") when fewer than PLANAR_MIN_FRAMES frames moved PLANAR_MIN_MOTION: small motion cannot tell a face
// from a photo. Where motion was required (a completed head turn, the no-flash path) scoring.ts counts null as 0.
import type { Point3 } from '../shared/analysis';
import { DEFAULT_PLANAR_TUNING, type PlanarTuning } from '../shared/tunables';
import { symmetricEigen } from './linalg';

export type Point2 = [number, number];
/** Row-major 3x3. */
export type Mat3 = [number, number, number, number, number, number, number, number, number];

/**
 * MediaPipe face-mesh indices that move rigidly with the skull: the midline from forehead to nose tip, eye corners,
 * the nose wings and the face outline. Eyelids, lips, the jaw and the cheeks are left out: blinks and smiles move
 * them (a smile lifts the cheek points by several percent of the face), which would read as 3D shape change.
 */
export const PLANAR_LANDMARKS: readonly number[] = [
  10,
  151,
  9,
  8,
  168,
  6,
  197,
  195,
  5,
  4,
  1,
  19, // forehead to nose tip
  33,
  133,
  362,
  263, // eye corners
  48,
  278,
  64,
  294,
  98,
  327, // nose wings
  234,
  454,
  127,
  356,
  93,
  323,
  132,
  361, // face outline
];

/**
 * Shape change (similarity residual / face scale, beyond jitter) above which a frame shows enough motion to tell a
 * face from a plane. Below it the mesh model's own depth guess dominates: a sway of a few degrees or a tilted photo
 * both give ~0.02-0.06 with residuals that overlap; a real head turn gives 0.2-0.4.
 */
export const PLANAR_MIN_MOTION = DEFAULT_PLANAR_TUNING.minMotion;
/** Excess residual of a plane: jitter plus the depth the mesh model hallucinates on a tilted photo (0.02-0.035). */
export const PLANAR_RESIDUAL_FLAT = DEFAULT_PLANAR_TUNING.residualFlat;
/** Excess residual at which the parallax is clearly 3D (head turns of 20+ degrees: 0.1-0.5). */
export const PLANAR_RESIDUAL_3D = DEFAULT_PLANAR_TUNING.residual3d;
/** Excess residual below which clear motion is a confirmed plane (LIVENESS_FACE_ATTACK). */
export const PLANAR_ATTACK_RESIDUAL = DEFAULT_PLANAR_TUNING.attackResidual;
/** Frames with enough motion needed for a score. */
export const PLANAR_MIN_FRAMES = DEFAULT_PLANAR_TUNING.minFrames;

/** The stable landmark subset as 2D points (all points when the mesh is not the 468/478 one). */
export function stablePoints(landmarks: readonly (Point3 | readonly number[])[]): Point2[] {
  if (landmarks.length >= 468) return PLANAR_LANDMARKS.map((i) => [landmarks[i][0], landmarks[i][1]]);
  return landmarks.map((p) => [p[0], p[1]]);
}

function centroid(points: readonly Point2[]): Point2 {
  let x = 0;
  let y = 0;
  for (const p of points) {
    x += p[0];
    y += p[1];
  }
  return [x / points.length, y / points.length];
}

/** RMS distance of the points from their centroid: the face's size. */
export function pointScale(points: readonly Point2[]): number {
  const [cx, cy] = centroid(points);
  let s = 0;
  for (const p of points) s += (p[0] - cx) ** 2 + (p[1] - cy) ** 2;
  return Math.sqrt(s / points.length);
}

/** Hartley normalisation: centroid to the origin, mean distance sqrt(2). Returns T and the normalised points. */
function normalise(points: readonly Point2[]): { t: Mat3; points: Point2[] } {
  const [cx, cy] = centroid(points);
  let d = 0;
  for (const p of points) d += Math.hypot(p[0] - cx, p[1] - cy);
  d /= points.length;
  const k = d > 1e-12 ? Math.SQRT2 / d : 1;
  return {
    t: [k, 0, -k * cx, 0, k, -k * cy, 0, 0, 1],
    points: points.map((p) => [k * (p[0] - cx), k * (p[1] - cy)]),
  };
}

function multiply(a: Mat3, b: Mat3): Mat3 {
  const out = new Array(9).fill(0) as Mat3;
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) out[r * 3 + c] += a[r * 3 + k] * b[k * 3 + c];
  return out;
}

/** Inverse of a Hartley normalisation matrix [k 0 tx; 0 k ty; 0 0 1]. */
function invertNormalisation(t: Mat3): Mat3 {
  const k = t[0];
  return [1 / k, 0, -t[2] / k, 0, 1 / k, -t[5] / k, 0, 0, 1];
}

export function applyHomography(h: Mat3, p: Point2): Point2 {
  const w = h[6] * p[0] + h[7] * p[1] + h[8];
  const safeW = Math.abs(w) > 1e-12 ? w : 1e-12;
  return [(h[0] * p[0] + h[1] * p[1] + h[2]) / safeW, (h[3] * p[0] + h[4] * p[1] + h[5]) / safeW];
}

/** Least-squares homography src -> dst (normalised DLT): the eigenvector of A^T A with the smallest eigenvalue. */
export function fitHomography(src: readonly Point2[], dst: readonly Point2[]): Mat3 {
  if (src.length !== dst.length || src.length < 4) throw new RangeError('A homography needs at least 4 point pairs.');
  const ns = normalise(src);
  const nd = normalise(dst);
  const ata = Array.from({ length: 9 }, () => new Array<number>(9).fill(0));
  const accumulate = (row: number[]): void => {
    for (let i = 0; i < 9; i++) {
      if (row[i] === 0) continue;
      for (let j = 0; j < 9; j++) ata[i][j] += row[i] * row[j];
    }
  };
  for (let i = 0; i < ns.points.length; i++) {
    const [x, y] = ns.points[i];
    const [u, v] = nd.points[i];
    accumulate([0, 0, 0, -x, -y, -1, v * x, v * y, v]);
    accumulate([x, y, 1, 0, 0, 0, -u * x, -u * y, -u]);
  }
  const hn = symmetricEigen(ata).vectors[0] as Mat3;
  const h = multiply(multiply(invertNormalisation(nd.t), hn), ns.t);
  const scale = Math.abs(h[8]) > 1e-12 ? h[8] : 1;
  return h.map((v) => v / scale) as Mat3;
}

function rms(src: readonly Point2[], dst: readonly Point2[], map: (p: Point2) => Point2): number {
  let s = 0;
  for (let i = 0; i < src.length; i++) {
    const q = map(src[i]);
    s += (q[0] - dst[i][0]) ** 2 + (q[1] - dst[i][1]) ** 2;
  }
  return Math.sqrt(s / src.length);
}

/** RMS residual of the best homography, relative to the destination face's scale. */
export function homographyResidual(src: readonly Point2[], dst: readonly Point2[]): number {
  const h = fitHomography(src, dst);
  return rms(src, dst, (p) => applyHomography(h, p)) / Math.max(pointScale(dst), 1e-9);
}

/** RMS residual of the best similarity (scale, rotation, translation), relative to the destination's scale. */
export function similarityResidual(src: readonly Point2[], dst: readonly Point2[]): number {
  const [sx, sy] = centroid(src);
  const [dx, dy] = centroid(dst);
  // Complex least squares: dst - cd = a * (src - cs), a = sum(conj(z) w) / sum(|z|^2).
  let re = 0;
  let im = 0;
  let zz = 0;
  for (let i = 0; i < src.length; i++) {
    const zx = src[i][0] - sx;
    const zy = src[i][1] - sy;
    const wx = dst[i][0] - dx;
    const wy = dst[i][1] - dy;
    re += zx * wx + zy * wy;
    im += zx * wy - zy * wx;
    zz += zx * zx + zy * zy;
  }
  const ar = zz > 0 ? re / zz : 0;
  const ai = zz > 0 ? im / zz : 0;
  const map = (p: Point2): Point2 => {
    const zx = p[0] - sx;
    const zy = p[1] - sy;
    return [dx + ar * zx - ai * zy, dy + ai * zx + ar * zy];
  };
  return rms(src, dst, map) / Math.max(pointScale(dst), 1e-9);
}

export interface PlanarFrameResult {
  index: number;
  /** Shape change against the reference beyond the capture's jitter (similarity residual - noise). */
  motion: number;
  /** Homography residual beyond the capture's jitter. */
  residual: number;
}

export interface PlanarAnalysis {
  /** 0-100, high = 3D; null when no frame moved enough to tell. */
  score: number | null;
  /** The landmarks moved clearly and still fit one plane: a photo. */
  attack: boolean;
  motionFrames: number;
  /** 75th percentile excess homography residual over the moving frames. */
  residual: number | null;
  /** The capture's landmark jitter: 25th percentile homography residual over all frames. */
  noise: number;
  /** Largest shape change seen. */
  maxMotion: number;
  frames: PlanarFrameResult[];
}

function quantile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * Compare every frame's stable landmarks (already the stable subset) with the reference frame's. The landmark jitter
 * of this capture (the low quartile of residuals: near-neutral frames) is subtracted, so a noisy detector does not make
 * a photo look 3D; what remains in the moving frames is parallax.
 */
export function analyzePlanarity(
  reference: readonly Point2[],
  frames: readonly (readonly Point2[])[],
  tuning: Readonly<PlanarTuning> = DEFAULT_PLANAR_TUNING,
): PlanarAnalysis {
  const all: { index: number; similarity: number; homography: number }[] = [];
  frames.forEach((points, index) => {
    if (points.length !== reference.length || points.length < 8) return;
    all.push({ index, similarity: similarityResidual(reference, points), homography: homographyResidual(reference, points) });
  });
  const enough = all.length >= 4;
  const noiseSimilarity = enough
    ? quantile(
        all.map((f) => f.similarity),
        0.25,
      )
    : 0;
  const noise = enough
    ? quantile(
        all.map((f) => f.homography),
        0.25,
      )
    : 0;
  const results: PlanarFrameResult[] = all
    .map((f) => ({ index: f.index, motion: f.similarity - noiseSimilarity, residual: Math.max(0, f.homography - noise) }))
    .filter((f) => f.motion >= tuning.minMotion);
  const maxMotion = Math.max(0, ...all.map((f) => f.similarity - noiseSimilarity));
  if (results.length < tuning.minFrames) {
    return { score: null, attack: false, motionFrames: results.length, residual: null, noise, maxMotion, frames: results };
  }
  const residual = quantile(
    results.map((r) => r.residual),
    0.75,
  );
  const score = Math.round(100 * Math.min(1, Math.max(0, (residual - tuning.residualFlat) / (tuning.residual3d - tuning.residualFlat))));
  // High confidence: clear perspective change in several frames that still fits one plane to within jitter (a plane
  // leaves < 0.01; the mesh model's depth guess on a photo 0.02-0.035, scored 0 but not flagged; a head 0.07+).
  const attack = residual < tuning.attackResidual;
  return { score, attack, motionFrames: results.length, residual, noise, maxMotion, frames: results };
}
