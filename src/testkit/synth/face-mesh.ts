// A textured 3D face mesh built from one photo's 468/478 landmarks: Delaunay triangles, expression rigs, normals.
import { delaunay } from './delaunay';

export type Vec3 = [number, number, number];

/** MediaPipe face-mesh indices used by the expression rigs (the subject's right eye is on the image left). */
export const FACE_OVAL = [
  10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93,
  234, 127, 162, 21, 54, 103, 67, 109,
];
const EYES = [
  {
    upper: [246, 161, 160, 159, 158, 157, 173],
    lower: [33, 7, 163, 144, 145, 153, 154, 155, 133],
    crease: [247, 30, 29, 27, 28, 56, 190],
    brow: [113, 225, 224, 223, 222, 221, 189],
    iris: [468, 469, 470, 471, 472],
  },
  {
    upper: [466, 388, 387, 386, 385, 384, 398],
    lower: [263, 249, 390, 373, 374, 380, 381, 382, 362],
    crease: [467, 260, 259, 257, 258, 286, 414],
    brow: [342, 445, 444, 443, 442, 441, 413],
    iris: [473, 474, 475, 476, 477],
  },
];
const MOUTH_CORNERS = [61, 291];

export interface FaceMesh {
  /** Rest positions, metres, centred on the head pivot; x right, y down, z away from the camera. */
  rest: Float64Array;
  /** Texture coordinates in source-image pixels. */
  uv: Float64Array;
  triangles: Uint32Array;
  vertexCount: number;
  /** How many of the vertices are landmarks (the rest are the head rings around the face). */
  landmarkCount: number;
  /** Metres per source pixel. */
  scale: number;
  /** Face width in metres. */
  faceWidth: number;
}

export interface MeshOptions {
  /** Real face width the photo is scaled to, metres. */
  faceWidthM?: number;
  /** Multiplies the landmark depth (1 keeps the engine's own). */
  depthScale?: number;
}

/**
 * Build the mesh from one photo's landmarks (x, y in source pixels, z in the same scale).
 * Two rings around the face oval carry hair, ears and neck so a detector sees a head, not a floating mask.
 */
export function buildFaceMesh(
  landmarks: ReadonlyArray<readonly [number, number, number]>,
  imageWidth: number,
  imageHeight: number,
  options: MeshOptions = {},
): FaceMesh {
  if (landmarks.length < 468) throw new RangeError(`buildFaceMesh: need 468 or 478 landmarks, got ${landmarks.length}`);
  const landmarkCount = landmarks.length;
  const oval = FACE_OVAL.map((i) => landmarks[i]);
  const cx = oval.reduce((s, p) => s + p[0], 0) / oval.length;
  const cy = oval.reduce((s, p) => s + p[1], 0) / oval.length;
  const ovalZ = oval.reduce((s, p) => s + p[2], 0) / oval.length;
  const width = Math.max(...oval.map((p) => p[0])) - Math.min(...oval.map((p) => p[0]));
  const faceWidth = options.faceWidthM ?? 0.15;
  const scale = faceWidth / Math.max(width, 1);
  const depthScale = options.depthScale ?? 1;

  const rings = [
    { grow: 1.18, back: 0.25 },
    { grow: 1.42, back: 0.55 },
  ];
  const vertexCount = landmarkCount + rings.length * oval.length;
  const rest = new Float64Array(vertexCount * 3);
  const uv = new Float64Array(vertexCount * 2);
  const planar: [number, number][] = [];
  // Pivot about 8 cm behind the face oval, near a head's turning axis.
  const pivotZ = 0.08;
  const put = (i: number, x: number, y: number, zPixels: number, backM: number): void => {
    rest[i * 3] = (x - cx) * scale;
    rest[i * 3 + 1] = (y - cy) * scale;
    rest[i * 3 + 2] = (zPixels - ovalZ) * scale * depthScale + backM - pivotZ;
    uv[i * 2] = Math.min(imageWidth - 1, Math.max(0, x));
    uv[i * 2 + 1] = Math.min(imageHeight - 1, Math.max(0, y));
    planar.push([x, y]);
  };
  landmarks.forEach((p, i) => put(i, p[0], p[1], p[2], 0));
  let next = landmarkCount;
  for (const ring of rings) {
    for (const p of oval) {
      put(next++, cx + (p[0] - cx) * ring.grow, cy + (p[1] - cy) * ring.grow, ovalZ, ring.back * faceWidth);
    }
  }
  // Iris points lie inside the eye; Delaunay over them would only add slivers, so the mesh uses the 468 + rings.
  const meshPoints = planar.map((p, i) => (i >= 468 && i < landmarkCount ? ([Number.NaN, Number.NaN] as [number, number]) : p));
  const usable = meshPoints.map((p, i) => ({ p, i })).filter(({ p }) => Number.isFinite(p[0]));
  const triangles = delaunay(usable.map(({ p }) => p)).flatMap((t) => t.map((k) => usable[k].i));
  return { rest, uv, triangles: Uint32Array.from(triangles), vertexCount, landmarkCount, scale, faceWidth };
}

export interface Expression {
  /** 0 open - 1 closed. */
  eyeClosure: number;
  /** 0 neutral - 1 full smile. */
  smile: number;
}

/** Lower-lid y at x, by linear interpolation along the lid polyline. */
function lidYAt(positions: Float64Array, lid: number[], x: number): number {
  const pts = lid.map((i) => [positions[i * 3], positions[i * 3 + 1]] as const).sort((a, b) => a[0] - b[0]);
  if (x <= pts[0][0]) return pts[0][1];
  for (let k = 1; k < pts.length; k++) {
    if (x <= pts[k][0]) {
      const t = (x - pts[k - 1][0]) / Math.max(pts[k][0] - pts[k - 1][0], 1e-9);
      return pts[k - 1][1] + t * (pts[k][1] - pts[k - 1][1]);
    }
  }
  return pts[pts.length - 1][1];
}

/** Rest positions with the eyes closed (upper lids onto the lower lids) and the mouth corners pulled out and up. */
export function deform(mesh: FaceMesh, expression: Expression, out: Float64Array = new Float64Array(mesh.rest.length)): Float64Array {
  out.set(mesh.rest);
  const closure = Math.min(1, Math.max(0, expression.eyeClosure));
  if (closure > 0) {
    for (const eye of EYES) {
      // The lids meet a little above the lower lid (the lower lid rises slightly in a blink).
      const meet = (i: number): number => {
        const lower = lidYAt(mesh.rest, eye.lower, mesh.rest[i * 3]);
        return lower - 0.15 * (lower - mesh.rest[i * 3 + 1]);
      };
      const upperShifts: number[] = [];
      for (const i of eye.upper) {
        const dy = (meet(i) - mesh.rest[i * 3 + 1]) * closure;
        upperShifts.push(dy);
        out[i * 3 + 1] += dy;
      }
      for (const i of eye.lower) {
        const upperY = lidYAt(mesh.rest, eye.upper.concat([eye.lower[0], eye.lower[eye.lower.length - 1]]), mesh.rest[i * 3]);
        out[i * 3 + 1] -= 0.15 * (mesh.rest[i * 3 + 1] - upperY) * closure;
      }
      // The skin above the lid follows part of the way, so the closed lid is not a crease.
      const meanShift = upperShifts.reduce((s, v) => s + v, 0) / upperShifts.length;
      for (const i of eye.crease) out[i * 3 + 1] += 0.6 * meanShift;
      for (const i of eye.iris) if (i < mesh.landmarkCount) out[i * 3 + 1] += meanShift;
    }
  }
  const smile = Math.min(1, Math.max(0, expression.smile));
  if (smile > 0) {
    const [l, r] = MOUTH_CORNERS;
    const centreX = (mesh.rest[l * 3] + mesh.rest[r * 3]) / 2;
    const mouthWidth = Math.abs(mesh.rest[r * 3] - mesh.rest[l * 3]);
    const sigma2 = (0.4 * mouthWidth) ** 2;
    for (const corner of MOUTH_CORNERS) {
      const ox = mesh.rest[corner * 3],
        oy = mesh.rest[corner * 3 + 1];
      const outward = Math.sign(ox - centreX);
      // Corners move out ~26% of the mouth width and up ~26% (a broad smile); nearby skin follows with a Gaussian falloff.
      const dx = outward * 0.26 * mouthWidth * smile;
      const dy = -0.26 * mouthWidth * smile;
      for (let i = 0; i < mesh.landmarkCount; i++) {
        const x = mesh.rest[i * 3];
        // Only this corner's side of the face moves; the lift fades to zero at the midline so the corners rise
        // above the lip centre (the curve of a smile), rather than the whole mouth moving up.
        const side = (x - centreX) * outward;
        if (side <= 0) continue;
        const d2 = (x - ox) ** 2 + (mesh.rest[i * 3 + 1] - oy) ** 2;
        const w = Math.exp(-d2 / (2 * sigma2));
        if (w < 0.01) continue;
        const lateral = Math.min(1, side / (mouthWidth / 2)) ** 2;
        out[i * 3] += dx * w * Math.min(1, (2 * side) / (mouthWidth / 2));
        out[i * 3 + 1] += dy * w * lateral;
      }
    }
  }
  return out;
}

/**
 * Texture coordinates for the expression. A closing lid carries the skin above the eye down with it (its margin
 * takes the crease's texture, the crease the brow side's), so a closed eye shows lid skin, not a squeezed eyeball.
 */
export function deformUv(mesh: FaceMesh, expression: Expression, out: Float64Array = new Float64Array(mesh.uv.length)): Float64Array {
  out.set(mesh.uv);
  const closure = Math.min(1, Math.max(0, expression.eyeClosure));
  if (closure <= 0) return out;
  for (const eye of EYES) {
    eye.upper.forEach((margin, k) => {
      const crease = eye.crease[k],
        brow = eye.brow[k];
      for (let c = 0; c < 2; c++) {
        out[margin * 2 + c] = mesh.uv[margin * 2 + c] + closure * (mesh.uv[crease * 2 + c] - mesh.uv[margin * 2 + c]);
        out[crease * 2 + c] = mesh.uv[crease * 2 + c] + 0.5 * closure * (mesh.uv[brow * 2 + c] - mesh.uv[crease * 2 + c]);
      }
    });
  }
  return out;
}

/** Area-weighted vertex normals, oriented toward the camera (negative z) in the mesh's own frame. */
export function vertexNormals(
  positions: Float64Array,
  triangles: Uint32Array,
  out: Float64Array = new Float64Array(positions.length),
): Float64Array {
  out.fill(0);
  for (let t = 0; t < triangles.length; t += 3) {
    const a = triangles[t] * 3,
      b = triangles[t + 1] * 3,
      c = triangles[t + 2] * 3;
    const ux = positions[b] - positions[a],
      uy = positions[b + 1] - positions[a + 1],
      uz = positions[b + 2] - positions[a + 2];
    const vx = positions[c] - positions[a],
      vy = positions[c + 1] - positions[a + 1],
      vz = positions[c + 2] - positions[a + 2];
    let nx = uy * vz - uz * vy,
      ny = uz * vx - ux * vz,
      nz = ux * vy - uy * vx;
    if (nz > 0) {
      nx = -nx;
      ny = -ny;
      nz = -nz;
    }
    for (const v of [a, b, c]) {
      out[v] += nx;
      out[v + 1] += ny;
      out[v + 2] += nz;
    }
  }
  for (let i = 0; i < out.length; i += 3) {
    const len = Math.hypot(out[i], out[i + 1], out[i + 2]) || 1;
    out[i] /= len;
    out[i + 1] /= len;
    out[i + 2] /= len;
  }
  return out;
}
