// A canonical 3D face for the liveness unit tests: MediaPipe face-mesh indices with plausible positions (mm, x to the
// person's left in the image = +x, y down, z toward the camera), projected by a pinhole camera.
import type { Point3 } from '../shared/analysis';

/** Anatomical anchor points of the stable subset on the midline (x = 0; approximate adult face, mm). */
const MIDLINE: Record<number, Point3> = {
  10: [0, -90, -5],
  151: [0, -70, 0],
  9: [0, -50, 2],
  8: [0, -35, 3],
  168: [0, -25, 5],
  6: [0, -15, 10],
  197: [0, -5, 15],
  195: [0, 5, 20],
  5: [0, 12, 26],
  4: [0, 18, 30],
  1: [0, 22, 32],
  19: [0, 28, 25],
};

/** The paired anchors: [index on the -x side, index of its mirror on the +x side, the -x point]; the face is symmetric. */
const MIRRORED: [number, number, Point3][] = [
  [33, 263, [-45, -25, -8]],
  [133, 362, [-15, -25, 0]],
  [48, 278, [-12, 15, 12]],
  [64, 294, [-14, 22, 8]],
  [98, 327, [-10, 25, 12]],
  [50, 280, [-35, 10, -5]],
  [117, 346, [-40, -5, -10]],
  [123, 352, [-45, 5, -15]],
  [205, 425, [-30, 25, -5]],
  [36, 266, [-22, 10, 0]],
  [234, 454, [-70, -10, -55]],
  [127, 356, [-68, -30, -55]],
  [93, 323, [-66, 10, -50]],
  [132, 361, [-62, 30, -45]],
];

const ANCHORS: Record<number, Point3> = {
  ...MIDLINE,
  ...Object.fromEntries(
    MIRRORED.flatMap(([index, mirrorIndex, [x, y, z]]) => [
      [index, [x, y, z]],
      [mirrorIndex, [-x, y, z]],
    ]),
  ),
};

/** 468 points: the anchors, and the rest spread deterministically over a face-like ellipsoid. */
export function canonicalFace(): Point3[] {
  const points: Point3[] = [];
  for (let i = 0; i < 468; i++) {
    const anchor = ANCHORS[i];
    if (anchor) {
      points.push([...anchor]);
      continue;
    }
    // Golden-angle spiral over the front half of an ellipsoid 70 x 95 x 60 mm.
    const t = (i + 0.5) / 468;
    const polar = Math.acos(1 - t);
    const azimuth = i * 2.399963;
    const x = 70 * Math.sin(polar) * Math.cos(azimuth);
    const y = 95 * Math.sin(polar) * Math.sin(azimuth);
    const z = 60 * Math.cos(polar) - 55;
    points.push([x, y, z]);
  }
  return points;
}

export interface Camera {
  focalPx: number;
  distanceMm: number;
  cx: number;
  cy: number;
}

export const DEFAULT_CAMERA: Camera = { focalPx: 800, distanceMm: 500, cx: 320, cy: 240 };

export function rotate(p: Point3, yawDeg: number, pitchDeg: number, rollDeg = 0): Point3 {
  const [a, b, c] = [yawDeg, pitchDeg, rollDeg].map((d) => (d * Math.PI) / 180);
  // Yaw about y: positive turns the face toward image +x (the person's left in an unmirrored frame).
  let [x, y, z] = p;
  [x, z] = [x * Math.cos(a) + z * Math.sin(a), -x * Math.sin(a) + z * Math.cos(a)];
  [y, z] = [y * Math.cos(b) - z * Math.sin(b), y * Math.sin(b) + z * Math.cos(b)];
  [x, y] = [x * Math.cos(c) - y * Math.sin(c), x * Math.sin(c) + y * Math.cos(c)];
  return [x, y, z];
}

/** Pinhole projection; z toward the camera shortens the distance. */
export function project(p: Point3, camera: Camera = DEFAULT_CAMERA, offset: [number, number] = [0, 0]): Point3 {
  const depth = camera.distanceMm - p[2];
  return [camera.cx + offset[0] + (camera.focalPx * p[0]) / depth, camera.cy + offset[1] + (camera.focalPx * p[1]) / depth, p[2]];
}

/** Deterministic Gaussian noise (Box-Muller over a small LCG) so tests are reproducible. */
export function gaussianSource(seed: number): () => number {
  let state = seed >>> 0 || 1;
  const unit = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 0.5) / 2 ** 32;
  };
  return () => Math.sqrt(-2 * Math.log(unit())) * Math.cos(2 * Math.PI * unit());
}

/** How landmarks come out of the detector: Gaussian noise of noisePx drawn from noise, the face moved by offset (px). */
export interface LandmarkView {
  noisePx: number;
  noise: () => number;
  offset?: [number, number];
}

/** The camera's view of these points turned to this pose (degrees). */
function viewed(
  points: Point3[],
  [yaw, pitch, roll]: [number, number, number],
  { noisePx, noise, offset = [0, 0] }: LandmarkView,
): Point3[] {
  return points.map((p) => {
    const q = project(rotate(p, yaw, pitch, roll), DEFAULT_CAMERA, offset);
    return [q[0] + noisePx * noise(), q[1] + noisePx * noise(), q[2]];
  });
}

/** A live head at this pose: the 3D face rotated, then projected. */
export function headLandmarks(yaw: number, pitch: number, view: LandmarkView): Point3[] {
  return viewed(canonicalFace(), [yaw, pitch, 0], view);
}

/** A printed photo of the frontal face (flattened onto a plane) tilted and moved rigidly in front of the camera. */
export function photoLandmarks(yaw: number, pitch: number, roll: number, view: LandmarkView): Point3[] {
  // The print: the frontal projection scaled back to mm on a flat sheet (z = 0).
  const print = canonicalFace().map((p): Point3 => {
    const depth = DEFAULT_CAMERA.distanceMm - p[2];
    return [(p[0] * DEFAULT_CAMERA.distanceMm) / depth, (p[1] * DEFAULT_CAMERA.distanceMm) / depth, 0];
  });
  return viewed(print, [yaw, pitch, roll], view);
}
