// Delaunay triangulation of 2D points (Bowyer-Watson): enough for a few hundred face-mesh landmarks.

export type Triangle = [number, number, number];

interface WorkingTriangle {
  a: number;
  b: number;
  c: number;
  /** Circumcircle centre and squared radius, cached for the in-circle test. */
  cx: number;
  cy: number;
  r2: number;
}

function circumcircle(xs: Float64Array, ys: Float64Array, a: number, b: number, c: number): WorkingTriangle {
  const ax = xs[a],
    ay = ys[a],
    bx = xs[b],
    by = ys[b],
    cx = xs[c],
    cy = ys[c];
  const d = 2 * (ax * (by - cy) + bx * (cy - ay) + cx * (ay - by));
  if (Math.abs(d) < 1e-12) {
    // Collinear: an infinite circle keeps it in the cavity of any later point, so it is replaced.
    return { a, b, c, cx: 0, cy: 0, r2: Infinity };
  }
  const a2 = ax * ax + ay * ay,
    b2 = bx * bx + by * by,
    c2 = cx * cx + cy * cy;
  const ux = (a2 * (by - cy) + b2 * (cy - ay) + c2 * (ay - by)) / d;
  const uy = (a2 * (cx - bx) + b2 * (ax - cx) + c2 * (bx - ax)) / d;
  return { a, b, c, cx: ux, cy: uy, r2: (ax - ux) ** 2 + (ay - uy) ** 2 };
}

/**
 * Triangles (indices into `points`) covering the convex hull, none with another point inside its circumcircle.
 * Duplicate points are skipped (they would make degenerate triangles).
 */
export function delaunay(points: ReadonlyArray<readonly [number, number]>): Triangle[] {
  const n = points.length;
  if (n < 3) return [];
  let minX = Infinity,
    minY = Infinity,
    maxX = -Infinity,
    maxY = -Infinity;
  for (const [x, y] of points) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) throw new RangeError('delaunay: every point must be finite');
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  const span = Math.max(maxX - minX, maxY - minY, 1e-9);
  const midX = (minX + maxX) / 2,
    midY = (minY + maxY) / 2;
  // Points plus the three corners of a super-triangle that contains them all.
  const xs = new Float64Array(n + 3),
    ys = new Float64Array(n + 3);
  points.forEach(([x, y], i) => {
    xs[i] = x;
    ys[i] = y;
  });
  xs[n] = midX - 20 * span;
  ys[n] = midY - span;
  xs[n + 1] = midX;
  ys[n + 1] = midY + 20 * span;
  xs[n + 2] = midX + 20 * span;
  ys[n + 2] = midY - span;

  let triangles: WorkingTriangle[] = [circumcircle(xs, ys, n, n + 1, n + 2)];
  const seen = new Set<string>();
  for (let p = 0; p < n; p++) {
    const key = `${xs[p]},${ys[p]}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const px = xs[p],
      py = ys[p];
    const kept: WorkingTriangle[] = [];
    // Edges of the cavity: an edge shared by two removed triangles is interior and cancels out.
    const edges = new Map<string, [number, number]>();
    for (const t of triangles) {
      if ((px - t.cx) ** 2 + (py - t.cy) ** 2 < t.r2) {
        for (const [u, v] of [
          [t.a, t.b],
          [t.b, t.c],
          [t.c, t.a],
        ] as const) {
          const edgeKey = u < v ? `${u}:${v}` : `${v}:${u}`;
          if (edges.has(edgeKey)) edges.delete(edgeKey);
          else edges.set(edgeKey, [u, v]);
        }
      } else {
        kept.push(t);
      }
    }
    for (const [u, v] of edges.values()) kept.push(circumcircle(xs, ys, u, v, p));
    triangles = kept;
  }
  const result: Triangle[] = [];
  for (const t of triangles) {
    if (t.a >= n || t.b >= n || t.c >= n) continue;
    // Counter-clockwise in a y-up frame (clockwise on screen), so every triangle winds the same way.
    const cross = (xs[t.b] - xs[t.a]) * (ys[t.c] - ys[t.a]) - (ys[t.b] - ys[t.a]) * (xs[t.c] - xs[t.a]);
    if (Math.abs(cross) < 1e-12) continue;
    result.push(cross > 0 ? [t.a, t.b, t.c] : [t.a, t.c, t.b]);
  }
  return result;
}
