// Geometry on the 468/478-point mesh: head pose, eye openness, smile, mouth opening, region colours, quality.
import type { BBox, FaceQuality, FaceRegion, HeadPose, Point3 } from '../../shared/analysis';
import type { RgbFrame } from './api';
import { rectMeanRgb } from './image-ops';
import { clamp01, median } from '../../shared/stats';
import { tuned } from '../../shared/tunables';

/** MediaPipe mesh indices (subject's left = image right in an unmirrored frame). */
export const MESH = {
  forehead: 10,
  foreheadMid: 151,
  chin: 152,
  chinFront: 199,
  noseTip: 1,
  noseBridge: 6,
  noseMid: 195,
  rightFaceEdge: 234,
  leftFaceEdge: 454,
  rightCheek: 205,
  leftCheek: 425,
  mouthRight: 61,
  mouthLeft: 291,
  upperLipInner: 13,
  lowerLipInner: 14,
  upperLipOuter: 0,
  lowerLipOuter: 17,
  // Eye contours (MediaPipe EyeLower0 from outer to inner corner, EyeUpper0 from outer to inner without corners).
  rightEyeLower: [33, 7, 163, 144, 145, 153, 154, 155, 133],
  rightEyeUpper: [246, 161, 160, 159, 158, 157, 173],
  leftEyeLower: [263, 249, 390, 373, 374, 380, 381, 382, 362],
  leftEyeUpper: [466, 388, 387, 386, 385, 384, 398],
} as const;

type P = Point3 | [number, number];

const dist2d = (p: P, q: P): number => Math.hypot(p[0] - q[0], p[1] - q[1]);
const DEG = 180 / Math.PI;

function sub(p: Point3, q: Point3): [number, number, number] {
  return [p[0] - q[0], p[1] - q[1], p[2] - q[2]];
}
function norm(v: number[]): [number, number, number] {
  const n = Math.hypot(v[0], v[1], v[2]) || 1;
  return [v[0] / n, v[1] / n, v[2] / n];
}
function cross(a: number[], b: number[]): [number, number, number] {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}
function mid(p: Point3, q: Point3): Point3 {
  return [(p[0] + q[0]) / 2, (p[1] + q[1]) / 2, (p[2] + q[2]) / 2];
}

/**
 * Head pose from the mesh's own 3D coordinates: a face frame whose x axis runs across the face (eye corners and
 * face edges), y axis down it (forehead to chin), z = x cross y (into the head, away from the camera).
 * Mesh z grows away from the camera, so a frontal face gives the identity frame.
 */
export function headPose(mesh: Point3[]): HeadPose {
  const across = norm(
    [0, 1, 2].map(
      (k) =>
        sub(mesh[263], mesh[33])[k] / (dist2d(mesh[263], mesh[33]) || 1) +
        sub(mesh[MESH.leftFaceEdge], mesh[MESH.rightFaceEdge])[k] / (dist2d(mesh[MESH.leftFaceEdge], mesh[MESH.rightFaceEdge]) || 1),
    ),
  );
  const eyesMid = mid(mesh[263], mesh[33]);
  const mouthMid = mid(mesh[MESH.mouthLeft], mesh[MESH.mouthRight]);
  const down = norm(
    [0, 1, 2].map(
      (k) =>
        sub(mesh[MESH.chin], mesh[MESH.forehead])[k] / (dist2d(mesh[MESH.chin], mesh[MESH.forehead]) || 1) +
        sub(mouthMid, eyesMid)[k] / (dist2d(mouthMid, eyesMid) || 1),
    ),
  );
  const into = norm(cross(across, down));
  const yaw = Math.atan2(-into[0], into[2]) * DEG;
  const pitch = Math.atan2(into[1], into[2]) * DEG - PITCH_OFFSET_DEG;
  const roll = Math.atan2(across[1], across[0]) * DEG;
  return { yaw, pitch, roll };
}

/** The forehead-to-chin line leans back from the face plane; this removes the tilt it gives a frontal face. */
export const PITCH_OFFSET_DEG = 0;

/** Eye aspect ratio of one eye contour: mean lid gap at three stations over the corner-to-corner width. */
export function eyeAspectRatio(lower: P[], upper: P[]): number {
  // lower: 9 points outer corner .. inner corner; upper: 7 points without the corners, same direction.
  const width = dist2d(lower[0], lower[8]);
  if (!(width > 0)) return 0;
  const gaps = dist2d(upper[2], lower[3]) + dist2d(upper[3], lower[4]) + dist2d(upper[4], lower[5]);
  return gaps / 3 / width;
}

/**
 * EAR of a shut eye and of a wide-open one, per contour source (measured on the blink clip and the press photos):
 * the mesh's lids read 0.13 shut / 0.30 open, the iris model's finer lids 0.05 / 0.37.
 */
export const EAR_RANGE = {
  mesh: { closed: 0.12, open: 0.34 },
  iris: { closed: 0.05, open: 0.4 },
} as const;

export function eyeOpenness(ear: number, source: keyof typeof EAR_RANGE = 'mesh'): number {
  const { closed, open } = EAR_RANGE[source];
  return clamp01((ear - closed) / (open - closed));
}

export function meshEyes(mesh: Point3[]): { left: number; right: number; leftEar: number; rightEar: number } {
  const pick = (idx: readonly number[]): Point3[] => idx.map((i) => mesh[i]);
  const rightEar = eyeAspectRatio(pick(MESH.rightEyeLower), pick(MESH.rightEyeUpper));
  const leftEar = eyeAspectRatio(pick(MESH.leftEyeLower), pick(MESH.leftEyeUpper));
  return { left: eyeOpenness(leftEar), right: eyeOpenness(rightEar), leftEar, rightEar };
}

/** Mouth-corner spread over the outer-eye-corner distance: ~0.55 neutral, ~0.8 broad smile (fixture photos). */
export const SMILE_SPREAD_NEUTRAL = tuned('smileSpreadNeutral');
export const SMILE_SPREAD_FULL = tuned('smileSpreadFull');
/** Corner lift (lip centre below the corner line, over mouth width): ~0 neutral, 0.10-0.16 smiling. */
export const SMILE_LIFT_NEUTRAL = tuned('smileLiftNeutral');
export const SMILE_LIFT_FULL = tuned('smileLiftFull');

/**
 * Smile 0-1: mouth corners spread (relative to the eye distance, so it does not depend on face size) and lifted
 * above the lip centre line (relative to mouth width).
 */
export function smileAndMouth(mesh: Point3[]): { smile: number; mouthOpen: number } {
  const eyeDist = dist2d(mesh[33], mesh[263]);
  const left = mesh[MESH.mouthLeft];
  const right = mesh[MESH.mouthRight];
  const mouthWidth = dist2d(left, right);
  if (!(eyeDist > 0 && mouthWidth > 0)) return { smile: 0, mouthOpen: 0 };
  const spread = clamp01((mouthWidth / eyeDist - SMILE_SPREAD_NEUTRAL) / (SMILE_SPREAD_FULL - SMILE_SPREAD_NEUTRAL));
  // Lift: how far the corners sit above the lip centre, measured along the face's own vertical (roll-free).
  const ux = (left[0] - right[0]) / mouthWidth;
  const uy = (left[1] - right[1]) / mouthWidth;
  const lipCentre = mid(mesh[MESH.upperLipInner], mesh[MESH.lowerLipInner]);
  const cornerMid = mid(left, right);
  // Component of (lipCentre - cornerMid) along the face's down axis (perpendicular to the corner line).
  const liftPx = (lipCentre[0] - cornerMid[0]) * -uy + (lipCentre[1] - cornerMid[1]) * ux;
  const lift = clamp01((liftPx / mouthWidth - SMILE_LIFT_NEUTRAL) / (SMILE_LIFT_FULL - SMILE_LIFT_NEUTRAL));
  const gap = dist2d(mesh[MESH.upperLipInner], mesh[MESH.lowerLipInner]);
  const mouthOpen = clamp01(gap / mouthWidth / 0.6);
  return { smile: clamp01(0.6 * spread + 0.4 * lift), mouthOpen };
}

/** Mean RGB of face regions around mesh points and of the background beside the face (for flash analysis). */
export function regionColours(frame: RgbFrame, mesh: Point3[], bbox: BBox): Record<FaceRegion, [number, number, number]> {
  const eyeDist = dist2d(mesh[33], mesh[263]) || bbox[2] / 2;
  const r = Math.max(1, eyeDist * 0.12);
  const patch = (p: P): [number, number, number] => rectMeanRgb(frame, p[0] - r, p[1] - r, p[0] + r, p[1] + r) ?? [0, 0, 0];
  const foreheadPoint = mid(mesh[MESH.forehead], mesh[MESH.foreheadMid]);
  const [x, y, w, h] = bbox;
  const beside = [rectMeanRgb(frame, x - 0.45 * w, y, x - 0.1 * w, y + h), rectMeanRgb(frame, x + 1.1 * w, y, x + 1.45 * w, y + h)].filter(
    (v): v is [number, number, number] => v !== null,
  );
  const corners = [
    rectMeanRgb(frame, 0, 0, frame.width * 0.1, frame.height * 0.1),
    rectMeanRgb(frame, frame.width * 0.9, 0, frame.width, frame.height * 0.1),
  ].filter((v): v is [number, number, number] => v !== null);
  const background = averageRgb(beside.length ? beside : corners);
  return {
    forehead: patch(foreheadPoint),
    left_cheek: patch(mesh[MESH.leftCheek]),
    right_cheek: patch(mesh[MESH.rightCheek]),
    nose: patch(mesh[MESH.noseMid]),
    chin: patch(mesh[MESH.chinFront]),
    background,
  };
}

function averageRgb(list: [number, number, number][]): [number, number, number] {
  if (!list.length) return [0, 0, 0];
  const s = list.reduce((acc, v) => [acc[0] + v[0], acc[1] + v[1], acc[2] + v[2]], [0, 0, 0]);
  return [s[0] / list.length, s[1] / list.length, s[2] / list.length];
}

/**
 * Occlusion estimate 0-1: skin regions whose colour departs from the face's median skin colour (a hand, a mask,
 * a scarf), combined with the mesh model's own face-presence confidence.
 */
export function occlusionEstimate(regions: Record<FaceRegion, [number, number, number]>, faceFlag: number): number {
  const skin = [regions.forehead, regions.left_cheek, regions.right_cheek, regions.nose, regions.chin];
  const chroma = skin.map(([r, g, b]) => {
    const s = r + g + b || 1;
    return { r: r / s, g: g / s, y: 0.299 * r + 0.587 * g + 0.114 * b };
  });
  const mr = median(chroma.map((c) => c.r));
  const mg = median(chroma.map((c) => c.g));
  const my = median(chroma.map((c) => c.y)) || 1;
  const off = chroma.filter((c) => Math.hypot(c.r - mr, c.g - mg) > 0.05 || c.y / my < 0.4 || c.y / my > 2.2).length;
  const fromColour = off / skin.length;
  const fromFlag = clamp01((0.9 - faceFlag) / 0.7);
  return clamp01(Math.max(fromColour, fromFlag));
}

export interface QualityInputs {
  /** Mean face luma 0-255. */
  meanLuma: number;
  laplacianVariance: number;
  bbox: BBox;
  frameWidth: number;
  frameHeight: number;
  occlusion: number;
}

/** Laplacian variance (0-255 units, on the 192-pixel face crop) that reads as fully sharp. */
export const SHARP_LAPLACIAN_VARIANCE = tuned('sharpLaplacianVariance');

export function faceQuality(q: QualityInputs): FaceQuality {
  const luminance = clamp01(q.meanLuma / 255) * 100;
  const sharpness = clamp01(Math.log1p(Math.max(0, q.laplacianVariance)) / Math.log1p(SHARP_LAPLACIAN_VARIANCE)) * 100;
  const [x, y, w, h] = q.bbox;
  const faceSize = clamp01(w / q.frameWidth);
  const dx = Math.abs(x + w / 2 - q.frameWidth / 2) / (q.frameWidth / 2);
  const dy = Math.abs(y + h / 2 - q.frameHeight / 2) / (q.frameHeight / 2);
  const centering = clamp01(1 - Math.max(dx, dy));
  // Luminance is best in the middle of the range; a face covering 15%+ of the frame width is large enough.
  const lumScore = clamp01(1 - Math.max(0, Math.abs(luminance - 55) - 20) / 35);
  const sizeScore = clamp01(faceSize / 0.15);
  const score = 100 * (0.25 * lumScore + 0.3 * (sharpness / 100) + 0.15 * sizeScore + 0.1 * centering + 0.2 * (1 - q.occlusion));
  return { luminance, sharpness, faceSize, centering, occlusion: q.occlusion, score };
}
