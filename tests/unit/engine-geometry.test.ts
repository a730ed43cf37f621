import { describe, expect, it } from 'vitest';
import type { Point3 } from '../../src/shared/analysis';
import { decodeDetections, generateAnchors, letterboxAffine, weightedNms, type Detection } from '../../src/node/engine/blazeface';
import { headPose, MESH, smileAndMouth } from '../../src/node/engine/face-metrics';
import { applyAffine, composeAffine, sampleAffine, squareCropAffine } from '../../src/node/engine/image-ops';
import { invertAffine } from '../../src/node/engine/pipeline';

describe('blazeface post-processing', () => {
  it('has 896 anchors: 16x16x2 at stride 16 then 8x8x6 at stride 32, row-major', () => {
    const anchors = generateAnchors(256);
    expect(anchors.length).toBe(896 * 2);
    expect([anchors[0], anchors[1]]).toEqual([8, 8]);
    expect([anchors[2], anchors[3]]).toEqual([8, 8]); // second anchor of the same cell
    expect([anchors[4], anchors[5]]).toEqual([24, 8]); // next cell to the right
    expect([anchors[512 * 2], anchors[512 * 2 + 1]]).toEqual([16, 16]);
    expect([anchors[895 * 2], anchors[895 * 2 + 1]]).toEqual([240, 240]);
  });

  it('decodes a box through the letterbox back to frame pixels', () => {
    const anchors = generateAnchors(256);
    const raw = {
      scores16: new Float32Array(512).fill(-10),
      scores32: new Float32Array(384).fill(-10),
      boxes16: new Float32Array(512 * 16),
      boxes32: new Float32Array(384 * 16),
    };
    // Anchor 0 of cell (gx=7, gy=7) at stride 16 is centred at (120, 120): a 64x64 box 8 px right of it.
    const i = (7 * 16 + 7) * 2;
    raw.scores16[i] = 3;
    raw.boxes16.set([8, 0, 64, 64, -10, -5, 10, -5, 0, 5, 0, 15, -25, 0, 25, 0], i * 16);
    // A 640x480 frame letterboxes to 640x640 with 80 px bars top and bottom: 2.5 frame px per input px.
    const toFrame = letterboxAffine(640, 480, 256);
    const [det] = decodeDetections(raw, anchors, toFrame, 0.5);
    expect(det.score).toBeCloseTo(1 / (1 + Math.exp(-3)), 5);
    expect(det.x0).toBeCloseTo((128 - 32) * 2.5, 3);
    expect(det.y0).toBeCloseTo((120 - 32) * 2.5 - 80, 3);
    expect(det.x1 - det.x0).toBeCloseTo(160, 3);
    expect(det.keypoints[0][0]).toBeCloseTo(110 * 2.5, 3);
  });

  it('weighted NMS blends overlapping candidates and keeps separate faces', () => {
    const d = (x: number, score: number): Detection => ({ x0: x, y0: 0, x1: x + 100, y1: 100, score, keypoints: [[x + 50, 50]] });
    const kept = weightedNms([d(0, 0.9), d(10, 0.6), d(400, 0.8)], 0.3, 10);
    expect(kept).toHaveLength(2);
    expect(kept[0].score).toBe(0.9);
    expect(kept[0].x0).toBeCloseTo((0 * 0.9 + 10 * 0.6) / 1.5, 6);
    expect(kept[1].x0).toBe(400);
  });
});

describe('affine sampling', () => {
  it('a rotated square crop and its inverse round-trip', () => {
    const crop = squareCropAffine(300, 200, 150, 0.3, 192);
    const back = invertAffine(crop);
    const [x, y] = applyAffine(crop, 40, 150);
    const [u, v] = applyAffine(back, x, y);
    expect(u).toBeCloseTo(40, 9);
    expect(v).toBeCloseTo(150, 9);
    // The crop centre maps to the requested centre.
    expect(applyAffine(crop, 96, 96)).toEqual([expect.closeTo(300, 9), expect.closeTo(200, 9)]);
    const inner = squareCropAffine(50, 60, 20, 0, 64);
    const composed = composeAffine(crop, inner);
    const direct = applyAffine(crop, ...applyAffine(inner, 10, 20));
    expect(applyAffine(composed, 10, 20)).toEqual([expect.closeTo(direct[0], 9), expect.closeTo(direct[1], 9)]);
  });

  it('the axis-aligned fast path equals the general rotated path', () => {
    const frame = { width: 64, height: 48, data: Uint8Array.from({ length: 64 * 48 * 3 }, (_, i) => (i * 7919) % 256) };
    const t = letterboxAffine(64, 48, 32);
    const fast = new Float32Array(32 * 32 * 3);
    const general = new Float32Array(32 * 32 * 3);
    sampleAffine(frame, t, 32, 32, fast, 0, 1 / 127.5, -1, true);
    sampleAffine(frame, { ...t, b: 1e-12 }, 32, 32, general, 0, 1 / 127.5, -1, true);
    for (let i = 0; i < fast.length; i++) expect(fast[i]).toBeCloseTo(general[i], 5);
  });

  it.each([
    ['rotated, partly outside the frame', squareCropAffine(30, 20, 50, 0.3, 40), false],
    ['rotated and mirrored', squareCropAffine(30, 26, 30, -0.2, 40), true],
    ['axis-aligned', squareCropAffine(32, 24, 36, 0, 40), false],
  ] as const)('a window of the output (%s) holds exactly the full call’s values there and nothing else', (_, t, flip) => {
    const frame = { width: 64, height: 48, data: Uint8Array.from({ length: 64 * 48 * 3 }, (_, i) => (i * 7919) % 256) };
    const full = new Float32Array(40 * 40 * 3);
    const part = new Float32Array(40 * 40 * 3).fill(-7);
    sampleAffine(frame, t, 40, 40, full, 0, 1 / 255, 0, flip);
    sampleAffine(frame, t, 40, 40, part, 0, 1 / 255, 0, flip, false, { from: 12, to: 29 });
    for (let v = 0; v < 40; v++) {
      for (let u = 0; u < 40; u++) {
        const inside = u >= 12 && u < 29 && v >= 12 && v < 29;
        for (let ch = 0; ch < 3; ch++) {
          const i = (v * 40 + u) * 3 + ch;
          expect(part[i], `${u},${v}`).toBe(inside ? full[i] : -7);
        }
      }
    }
  });

  it.each([
    ['inside the frame', squareCropAffine(32, 24, 30, 0.4, 24)],
    ['over every edge and corner', squareCropAffine(32, 24, 90, 0.7, 24)],
    ['over the top-left corner, where taps fall between -1 and 0', squareCropAffine(1.3, 0.6, 12, 0.05, 24)],
    ['over the bottom-right corner', squareCropAffine(62.8, 47.4, 12, -0.05, 24)],
  ] as const)('the rotated path equals plain bilinear sampling bit for bit (%s)', (_, t) => {
    const frame = { width: 64, height: 48, data: Uint8Array.from({ length: 64 * 48 * 3 }, (_, i) => (i * 7919) % 256) };
    const out = new Float32Array(24 * 24 * 3);
    sampleAffine(frame, t, 24, 24, out, 0, 1 / 255, 0.25);
    // The reference: every tap floored on its own, taps outside the frame read as black; the interior's weights
    // are grouped as the fast path groups them (scale folded into each weight), so equality is exact.
    const tap = (x: number, y: number, ch: number): number =>
      x < 0 || y < 0 || x >= 64 || y >= 48 ? 0 : frame.data[(y * 64 + x) * 3 + ch];
    for (let v = 0; v < 24; v++) {
      for (let u = 0; u < 24; u++) {
        let x = t.a * 0.5 + t.b * (v + 0.5) + t.c - 0.5;
        let y = t.d * 0.5 + t.e * (v + 0.5) + t.f - 0.5;
        for (let k = 0; k < u; k++) {
          x += t.a;
          y += t.d;
        }
        const x0 = Math.floor(x);
        const y0 = Math.floor(y);
        const fx = x - x0;
        const fy = y - y0;
        const interior = x0 >= 0 && y0 >= 0 && x0 < 63 && y0 < 47;
        for (let ch = 0; ch < 3; ch++) {
          let want: number;
          if (x <= -1 || y <= -1 || x >= 64 || y >= 48) want = 0.25;
          else if (interior) {
            const s = 1 / 255;
            want =
              (1 - fx) * (1 - fy) * s * tap(x0, y0, ch) +
              fx * (1 - fy) * s * tap(x0 + 1, y0, ch) +
              (1 - fx) * fy * s * tap(x0, y0 + 1, ch) +
              fx * fy * s * tap(x0 + 1, y0 + 1, ch) +
              0.25;
          } else {
            const acc =
              (1 - fx) * (1 - fy) * tap(x0, y0, ch) +
              fx * (1 - fy) * tap(x0 + 1, y0, ch) +
              (1 - fx) * fy * tap(x0, y0 + 1, ch) +
              fx * fy * tap(x0 + 1, y0 + 1, ch);
            want = acc * (1 / 255) + 0.25;
          }
          expect(out[(v * 24 + u) * 3 + ch], `${u},${v},${ch}`).toBe(Math.fround(want));
        }
      }
    }
  });

  it('samples pixels with scale/bias, zero outside, and mirrors on request', () => {
    const frame = { width: 4, height: 1, data: Uint8Array.from([0, 0, 0, 100, 100, 100, 200, 200, 200, 255, 255, 255]) };
    const out = new Float32Array(4 * 3);
    sampleAffine(frame, { a: 1, b: 0, c: 0, d: 0, e: 1, f: 0 }, 4, 1, out, 0, 1 / 255, 0);
    expect(out[3]).toBeCloseTo(100 / 255, 6);
    sampleAffine(frame, { a: 1, b: 0, c: 0, d: 0, e: 1, f: 0 }, 4, 1, out, 0, 1, 0, true);
    expect(out[0]).toBe(255);
    sampleAffine(frame, { a: 1, b: 0, c: 100, d: 0, e: 1, f: 0 }, 4, 1, out, 0, 1 / 127.5, -1);
    expect(out[0]).toBe(-1);
  });
});

/** A coarse 3D face (x right, y down, z away from the camera), only the points the metrics read. */
function syntheticMesh(yawDeg: number, pitchDeg: number, rollDeg: number): Point3[] {
  const pts: Record<number, Point3> = {
    33: [-45, -30, 10],
    263: [45, -30, 10],
    133: [-15, -30, 5],
    362: [15, -30, 5],
    234: [-75, 0, 60],
    454: [75, 0, 60],
    10: [0, -85, 5],
    152: [0, 95, 15],
    1: [0, 10, -40],
    61: [-28, 45, 5],
    291: [28, 45, 5],
    13: [0, 44, 0],
    14: [0, 46, 0],
  };
  const [y, p, r] = [yawDeg, pitchDeg, rollDeg].map((d) => (d * Math.PI) / 180);
  const rotate = ([x0, y0, z0]: Point3): Point3 => {
    // Yaw about the vertical axis: a positive yaw turns the nose (z<0) towards image right.
    let x = x0 * Math.cos(y) - z0 * Math.sin(y);
    let z = x0 * Math.sin(y) + z0 * Math.cos(y);
    let yy = y0;
    // Pitch about the horizontal axis: positive looks up (the nose moves up, y<0).
    const y1 = yy * Math.cos(p) + z * Math.sin(p);
    z = -yy * Math.sin(p) + z * Math.cos(p);
    yy = y1;
    // Roll in the image plane, clockwise positive in y-down coordinates.
    const x2 = x * Math.cos(r) - yy * Math.sin(r);
    yy = x * Math.sin(r) + yy * Math.cos(r);
    x = x2;
    return [x + 320, yy + 240, z];
  };
  const mesh: Point3[] = Array.from({ length: 468 }, () => [320, 240, 0] as Point3);
  for (const [k, v] of Object.entries(pts)) mesh[Number(k)] = rotate(v);
  return mesh;
}

describe('head pose from the mesh', () => {
  it('is near zero for a frontal face', () => {
    const pose = headPose(syntheticMesh(0, 0, 0));
    expect(Math.abs(pose.yaw)).toBeLessThan(1);
    expect(Math.abs(pose.roll)).toBeLessThan(1);
  });

  it.each([
    [25, 0, 0],
    [-25, 0, 0],
    [0, 20, 0],
    [0, -20, 0],
    [0, 0, 30],
    [0, 0, -30],
  ])('recovers yaw %d, pitch %d, roll %d with the documented signs', (yaw, pitch, roll) => {
    const frontal = headPose(syntheticMesh(0, 0, 0));
    const pose = headPose(syntheticMesh(yaw, pitch, roll));
    expect(pose.yaw).toBeCloseTo(yaw, -1);
    expect(pose.pitch - frontal.pitch).toBeCloseTo(pitch, -1);
    expect(pose.roll).toBeCloseTo(roll, -1);
  });

  it('mirroring the mesh flips yaw and roll', () => {
    const mesh = syntheticMesh(20, 0, 10);
    const mirrored = mesh.map(([x, y, z]) => [640 - x, y, z] as Point3);
    // Mirroring also swaps the subject's left and right landmarks.
    const swap = (a: number, b: number): void => {
      [mirrored[a], mirrored[b]] = [mirrored[b], mirrored[a]];
    };
    swap(33, 263);
    swap(234, 454);
    swap(MESH.mouthLeft, MESH.mouthRight);
    const pose = headPose(mirrored);
    expect(pose.yaw).toBeCloseTo(-20, -1);
    expect(pose.roll).toBeCloseTo(-10, -1);
  });

  it('smile grows as the mouth corners spread and lift', () => {
    const neutral = syntheticMesh(0, 0, 0);
    const smiling = neutral.map((p) => [...p] as Point3);
    smiling[MESH.mouthLeft] = [320 + 40, 240 + 38, 5];
    smiling[MESH.mouthRight] = [320 - 40, 240 + 38, 5];
    expect(smileAndMouth(smiling).smile).toBeGreaterThan(smileAndMouth(neutral).smile + 0.3);
  });
});
