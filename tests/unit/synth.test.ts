// The synthetic-subject renderer's pure parts: Delaunay, rasterizer, expression rigs, lighting.
import { describe, expect, it } from 'vitest';
import { delaunay } from '../../src/testkit/synth/delaunay';
import { buildFaceMesh, deform, vertexNormals } from '../../src/testkit/synth/face-mesh';
import { shadePoint, SKIN, type Lighting } from '../../src/testkit/synth/lighting';
import { createCanvas, project, rasterize } from '../../src/testkit/synth/raster';
import { createRandom } from '../../src/testkit/synth/random';
import { rotationMatrix } from '../../src/testkit/synth/scene';

describe('delaunay', () => {
  it('covers the convex hull of a grid with 2(n-1)^2 triangles', () => {
    const points: [number, number][] = [];
    for (let y = 0; y < 5; y++) for (let x = 0; x < 5; x++) points.push([x + 0.001 * y * y, y + 0.001 * x * x]);
    expect(delaunay(points)).toHaveLength(32);
  });

  it('leaves no point inside any triangle circumcircle (random points)', () => {
    const rng = createRandom('delaunay');
    const points: [number, number][] = Array.from({ length: 200 }, () => [rng.range(0, 100), rng.range(0, 100)]);
    const triangles = delaunay(points);
    expect(triangles.length).toBeGreaterThan(300);
    for (const [a, b, c] of triangles) {
      const [ax, ay] = points[a],
        [bx, by] = points[b],
        [cx, cy] = points[c];
      const d = 2 * (ax * (by - cy) + bx * (cy - ay) + cx * (ay - by));
      const ux = ((ax * ax + ay * ay) * (by - cy) + (bx * bx + by * by) * (cy - ay) + (cx * cx + cy * cy) * (ay - by)) / d;
      const uy = ((ax * ax + ay * ay) * (cx - bx) + (bx * bx + by * by) * (ax - cx) + (cx * cx + cy * cy) * (bx - ax)) / d;
      const r2 = (ax - ux) ** 2 + (ay - uy) ** 2;
      for (let p = 0; p < points.length; p++) {
        if (p === a || p === b || p === c) continue;
        expect((points[p][0] - ux) ** 2 + (points[p][1] - uy) ** 2).toBeGreaterThanOrEqual(r2 * (1 - 1e-9));
      }
    }
  });

  it('returns nothing for fewer than three points and rejects non-finite ones', () => {
    expect(
      delaunay([
        [0, 0],
        [1, 1],
      ]),
    ).toEqual([]);
    expect(() =>
      delaunay([
        [0, 0],
        [1, Number.NaN],
        [2, 0],
      ]),
    ).toThrow(RangeError);
  });
});

describe('rasterize', () => {
  it('fills a triangle with perspective-correct weights that sum to 1 and respects depth', () => {
    const canvas = createCanvas(40, 30);
    const camera = { focal: 40, cx: 20, cy: 15 };
    const near = new Float64Array([-1, -1, 2, 1, -1, 2, 0, 1, 2]);
    const far = new Float64Array([-1, -1, 4, 1, -1, 4, 0, 1, 4]);
    let sums = 0;
    let pixels = 0;
    rasterize(canvas, project(camera, near), Uint32Array.from([0, 1, 2]), (_a, _b, _c, w0, w1, w2, out) => {
      sums += Math.abs(w0 + w1 + w2 - 1);
      pixels++;
      out.set([1, 0, 0]);
    });
    // The far triangle is hidden behind the near one wherever they overlap.
    rasterize(canvas, project(camera, far), Uint32Array.from([0, 1, 2]), (_a, _b, _c, _w0, _w1, _w2, out) => out.set([0, 1, 0]));
    expect(pixels).toBeGreaterThan(100);
    expect(sums).toBeLessThan(1e-6);
    const centre = (15 * 40 + 20) * 3;
    expect([...canvas.rgb.subarray(centre, centre + 3)]).toEqual([1, 0, 0]);
  });
});

describe('face mesh rigs', () => {
  // A synthetic 468-point cloud: a bumpy dome (only the topology-independent parts are tested here).
  const rng = createRandom('mesh');
  const landmarks: [number, number, number][] = Array.from({ length: 468 }, () => {
    const x = rng.range(-1, 1),
      y = rng.range(-1, 1);
    return [200 + 80 * x, 200 + 100 * y, -40 * (1 - x * x - y * y)];
  });
  // The right eye's lids as two rows: lower lid 33 … 133 at y 172, upper lid 246 … 173 at y 164.
  [33, 7, 163, 144, 145, 153, 154, 155, 133].forEach((i, k) => (landmarks[i] = [150 + 5 * k, 172, -30]));
  [246, 161, 160, 159, 158, 157, 173].forEach((i, k) => (landmarks[i] = [155 + 5 * k, 164, -30]));
  const mesh = buildFaceMesh(landmarks, 400, 400);

  it('builds triangles over the landmarks and the head rings, with normals facing the camera', () => {
    expect(mesh.vertexCount).toBe(468 + 2 * 36);
    expect(mesh.triangles.length / 3).toBeGreaterThan(900);
    const normals = vertexNormals(mesh.rest, mesh.triangles);
    for (let i = 0; i < mesh.vertexCount; i++) expect(normals[i * 3 + 2]).toBeLessThanOrEqual(1e-9);
  });

  it('closing the eyes moves the upper lid down onto the lower lid; the neutral face is the rest shape', () => {
    expect([...deform(mesh, { eyeClosure: 0, smile: 0 })]).toEqual([...mesh.rest]);
    const closed = deform(mesh, { eyeClosure: 1, smile: 0 });
    // 159 (upper lid) and 145 (lower lid) of the right eye: the gap shrinks.
    const gapOpen = Math.abs(mesh.rest[145 * 3 + 1] - mesh.rest[159 * 3 + 1]);
    const gapClosed = Math.abs(closed[145 * 3 + 1] - closed[159 * 3 + 1]);
    expect(gapClosed).toBeLessThan(0.3 * gapOpen + 1e-9);
  });

  it('a smile pulls the mouth corners apart', () => {
    const smile = deform(mesh, { eyeClosure: 0, smile: 1 });
    const width = (p: Float64Array): number => Math.abs(p[291 * 3] - p[61 * 3]);
    expect(width(smile)).toBeGreaterThan(width(mesh.rest));
  });
});

describe('lighting', () => {
  const light: Lighting = {
    ambient: [0.5, 0.5, 0.5],
    screenRgb: [0, 0, 255],
    screenGain: 0.5,
    screenPos: [0, 0, 0],
    referenceDistance: 0.5,
  };
  const albedo = new Float32Array([0.6, 0.5, 0.4]);
  const out = new Float32Array(3);

  it('a surface facing the screen reflects its colour more than one turned away (Lambert)', () => {
    shadePoint(albedo, 0, 0, 0.5, 0, 0, -1, light, { ...SKIN, specular: 0 }, out);
    const facing = out[2];
    shadePoint(albedo, 0, 0, 0.5, Math.sin(1.2), 0, -Math.cos(1.2), light, { ...SKIN, specular: 0 }, out);
    expect(out[2]).toBeLessThan(facing);
    expect(out[0]).toBeCloseTo(0.3, 6); // red: ambient only, the screen emits none
  });

  it('the screen light falls off with the inverse square of the distance', () => {
    shadePoint(albedo, 0, 0, 0.5, 0, 0, -1, light, { ...SKIN, specular: 0 }, out);
    const near = out[2] - 0.5 * albedo[2];
    shadePoint(albedo, 0, 0, 1, 0, 0, -1, light, { ...SKIN, specular: 0 }, out);
    expect((out[2] - 0.5 * albedo[2]) / near).toBeCloseTo(0.25, 6);
  });

  it('yaw turns the nose (in front of the pivot) toward image right', () => {
    const m = rotationMatrix(30, 0, 0);
    const nose = [0, 0, -1];
    expect(m[0] * nose[0] + m[1] * nose[1] + m[2] * nose[2]).toBeGreaterThan(0.4);
  });
});
