// A synthetic 468-point mesh whose five alignment points are ArcFace's template moved by a known similarity.
import type { Point3 } from '../../src/shared/analysis';

const TEMPLATE: Record<number, [number, number]> = {
  33: [38.2946, 51.6963],
  133: [38.2946, 51.6963],
  362: [73.5318, 51.5014],
  263: [73.5318, 51.5014],
  1: [56.0252, 71.7366],
  61: [41.5493, 92.3655],
  291: [70.7299, 92.2041],
};

export function applyImage(move: { scale: number; angle: number; dx: number; dy: number }): Point3[] {
  const cos = Math.cos(move.angle) * move.scale;
  const sin = Math.sin(move.angle) * move.scale;
  return Array.from({ length: 468 }, (_, i): Point3 => {
    const [u, v] = TEMPLATE[i] ?? [56, 56];
    return [cos * u - sin * v + move.dx, sin * u + cos * v + move.dy, 0];
  });
}
