// A small software rasterizer: z-buffered triangles with perspective-correct barycentric weights.

/** Linear-light colour buffer (0-1 per channel) with a depth buffer holding 1/z (larger is nearer). */
export interface Canvas {
  width: number;
  height: number;
  rgb: Float32Array;
  invDepth: Float32Array;
}

export function createCanvas(width: number, height: number): Canvas {
  return { width, height, rgb: new Float32Array(width * height * 3), invDepth: new Float32Array(width * height) };
}

/** Pinhole camera at the origin looking along +z; x right, y down (image conventions). */
export interface Camera {
  focal: number;
  cx: number;
  cy: number;
}

/** Project camera-space points to (sx, sy, 1/z) triples. */
export function project(camera: Camera, positions: Float64Array, out: Float64Array = new Float64Array(positions.length)): Float64Array {
  for (let i = 0; i < positions.length; i += 3) {
    const invZ = 1 / Math.max(positions[i + 2], 1e-6);
    out[i] = camera.cx + camera.focal * positions[i] * invZ;
    out[i + 1] = camera.cy + camera.focal * positions[i + 1] * invZ;
    out[i + 2] = invZ;
  }
  return out;
}

/**
 * Called for each covered pixel that passes the depth test, with the perspective-correct weights of the
 * triangle's three vertices; writes linear RGB into out[0..2].
 */
export type Shader = (a: number, b: number, c: number, w0: number, w1: number, w2: number, out: Float32Array) => void;

export function rasterize(canvas: Canvas, screen: Float64Array, triangles: Uint32Array, shade: Shader): void {
  const { width, height, rgb, invDepth } = canvas;
  const colour = new Float32Array(3);
  for (let t = 0; t < triangles.length; t += 3) {
    const a = triangles[t],
      b = triangles[t + 1],
      c = triangles[t + 2];
    const x0 = screen[a * 3],
      y0 = screen[a * 3 + 1],
      z0 = screen[a * 3 + 2];
    const x1 = screen[b * 3],
      y1 = screen[b * 3 + 1],
      z1 = screen[b * 3 + 2];
    const x2 = screen[c * 3],
      y2 = screen[c * 3 + 1],
      z2 = screen[c * 3 + 2];
    const area = (x1 - x0) * (y2 - y0) - (y1 - y0) * (x2 - x0);
    if (Math.abs(area) < 1e-9) continue;
    const minX = Math.max(0, Math.floor(Math.min(x0, x1, x2)));
    const maxX = Math.min(width - 1, Math.ceil(Math.max(x0, x1, x2)));
    const minY = Math.max(0, Math.floor(Math.min(y0, y1, y2)));
    const maxY = Math.min(height - 1, Math.ceil(Math.max(y0, y1, y2)));
    if (minX > maxX || minY > maxY) continue;
    const inv = 1 / area;
    for (let py = minY; py <= maxY; py++) {
      const sy = py + 0.5;
      for (let px = minX; px <= maxX; px++) {
        const sx = px + 0.5;
        // Screen-space barycentrics from the edge functions; either winding is accepted (no culling).
        const l0 = ((x1 - sx) * (y2 - sy) - (y1 - sy) * (x2 - sx)) * inv;
        const l1 = ((x2 - sx) * (y0 - sy) - (y2 - sy) * (x0 - sx)) * inv;
        const l2 = 1 - l0 - l1;
        if (l0 < -1e-7 || l1 < -1e-7 || l2 < -1e-7) continue;
        const iz = l0 * z0 + l1 * z1 + l2 * z2;
        const p = py * width + px;
        if (iz <= invDepth[p]) continue;
        invDepth[p] = iz;
        // Perspective-correct: weight by 1/z, then renormalise.
        const w0 = (l0 * z0) / iz,
          w1 = (l1 * z1) / iz,
          w2 = 1 - w0 - w1;
        shade(a, b, c, w0, w1, w2, colour);
        rgb[p * 3] = colour[0];
        rgb[p * 3 + 1] = colour[1];
        rgb[p * 3 + 2] = colour[2];
      }
    }
  }
}

/** Bilinear sample of a packed RGB image at (u, v) pixel coordinates (pixel centres at +0.5), 0-255 per channel. */
export function sampleBilinear(data: Uint8Array, width: number, height: number, u: number, v: number, out: Float32Array): void {
  const x = Math.min(width - 1.001, Math.max(0, u - 0.5));
  const y = Math.min(height - 1.001, Math.max(0, v - 0.5));
  const x0 = Math.floor(x),
    y0 = Math.floor(y);
  const fx = x - x0,
    fy = y - y0;
  const i00 = (y0 * width + x0) * 3,
    i10 = i00 + 3,
    i01 = i00 + width * 3,
    i11 = i01 + 3;
  for (let k = 0; k < 3; k++) {
    const top = data[i00 + k] + (data[i10 + k] - data[i00 + k]) * fx;
    const bottom = data[i01 + k] + (data[i11 + k] - data[i01 + k]) * fx;
    out[k] = top + (bottom - top) * fy;
  }
}
