import { describe, expect, it } from 'vitest';
import type { RgbFrame } from '../../src/node/engine/api';
import { computePadCues, fft1d, PAD_CUE_DOCS, PAD_CUE_NAMES, powerSpectrum2d } from '../../src/node/engine/pad-cues';
import { pairedPowerSpectra } from '../../src/node/engine/pad/spectrum';
import { MASK_CUE_DOCS } from '../../src/node/engine/pad/mask-cues';
import { CHEEK_CUE_DOCS } from '../../src/node/engine/pad/colour-cues';
import { FACE_N } from '../../src/node/engine/pad/face-stats';
import { sampleRegion } from '../../src/node/engine/pad/sampling';
import type { BBox, Point3 } from '../../src/shared/analysis';

const W = 640;
const H = 480;
const FACE: BBox = [240, 140, 160, 200];

/** A frame painted by a function of (x, y) -> [r, g, b] (values clamped to bytes). */
function paint(fn: (x: number, y: number) => [number, number, number]): RgbFrame {
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const [r, g, b] = fn(x, y);
      const i = (y * W + x) * 3;
      data[i] = Math.max(0, Math.min(255, Math.round(r)));
      data[i + 1] = Math.max(0, Math.min(255, Math.round(g)));
      data[i + 2] = Math.max(0, Math.min(255, Math.round(b)));
    }
  }
  return { data, width: W, height: H };
}

/** A smooth skin-toned "face": a soft radial shading with a gentle gradient, no periodic structure. */
const skin = (x: number, y: number): [number, number, number] => {
  const d = Math.hypot((x - 320) / 90, (y - 240) / 110);
  const shade = 170 - 40 * d * d + 0.05 * (x - 320);
  return [shade + 30, shade, shade - 25];
};

/** A 468-point mesh on FACE with the points the mask cues read placed where a frontal face has them. */
function meshOnFace(noseDepth: number): Point3[] {
  const mesh: Point3[] = Array.from({ length: 468 }, () => [320, 240, 0]);
  const put = (i: number, x: number, y: number, z = 0) => (mesh[i] = [x, y, z]);
  put(33, 265, 200);
  put(133, 305, 200);
  put(362, 335, 200);
  put(263, 375, 200);
  put(50, 275, 265, 0);
  put(280, 365, 265, 0);
  put(1, 320, 255, -noseDepth);
  return mesh;
}

const MASK_CUES = [...Object.keys(MASK_CUE_DOCS), ...Object.keys(CHEEK_CUE_DOCS)];

describe('computePadCues', () => {
  it('returns every documented cue as a finite number (the mask and cheek cues only with a mesh)', () => {
    const cues = computePadCues(paint(skin), FACE, undefined, meshOnFace(20));
    expect(Object.keys(cues).sort()).toEqual([...PAD_CUE_NAMES].sort());
    expect(Object.keys(computePadCues(paint(skin), FACE)).sort()).toEqual(PAD_CUE_NAMES.filter((n) => !MASK_CUES.includes(n)).sort());
    for (const name of PAD_CUE_NAMES) {
      expect(Number.isFinite(cues[name]), name).toBe(true);
      expect(PAD_CUE_DOCS[name].length).toBeGreaterThan(20);
    }
  });

  it('scores a sinusoidal moiré grating higher on the moiré cue than a smooth gradient', () => {
    const smooth = computePadCues(paint(skin), FACE);
    // Two slightly rotated fine gratings (period ~3 px): the beat pattern a camera sees on a screen.
    const moire = computePadCues(
      paint((x, y) => {
        const [r, g, b] = skin(x, y);
        const m = 18 * Math.sin(2 * Math.PI * (x * 0.31 + y * 0.05)) + 12 * Math.sin(2 * Math.PI * (x * 0.04 + y * 0.29));
        return [r + m, g + m, b + m];
      }),
      FACE,
    );
    expect(moire.moire_peaks).toBeGreaterThan(smooth.moire_peaks + 0.2);
  });

  it('raises the border cue for a bright rectangular frame around the face box', () => {
    const plain = computePadCues(paint(skin), FACE);
    // A bright 6-px rectangle 40 px outside the face box on a dark background: a bezel / photo edge.
    const [fx, fy, fw, fh] = FACE;
    const framed = computePadCues(
      paint((x, y) => {
        const outer = x >= fx - 46 && x < fx + fw + 46 && y >= fy - 46 && y < fy + fh + 46;
        const inner = x >= fx - 40 && x < fx + fw + 40 && y >= fy - 40 && y < fy + fh + 40;
        if (outer && !inner) return [240, 240, 240];
        return inner ? skin(x, y) : [30, 30, 35];
      }),
      FACE,
    );
    expect(framed.border_line).toBeGreaterThan(plain.border_line + 0.3);
    expect(framed.border_parallel).toBeGreaterThan(plain.border_parallel + 0.3);
    expect(framed.ring_coverage).toBeCloseTo(1, 1);
  });

  it('raises glare for a saturated white patch on the face', () => {
    const plain = computePadCues(paint(skin), FACE);
    const glared = computePadCues(
      paint((x, y) => (x > 290 && x < 340 && y > 190 && y < 240 ? [255, 255, 255] : skin(x, y))),
      FACE,
    );
    expect(plain.glare_frac).toBe(0);
    expect(glared.glare_frac).toBeGreaterThan(0.03);
    expect(glared.glare_cluster).toBeGreaterThan(0.5);
  });

  it('has no ring for a tight crop where the face fills the frame', () => {
    const cues = computePadCues(paint(skin), [0, 0, W, H]);
    expect(cues.ring_coverage).toBe(0);
    expect(cues.border_line).toBe(0);
  });

  it('computes exactly the wanted cues, with the same values as the full set', () => {
    const frame = paint(skin);
    const all = computePadCues(frame, FACE);
    const some = computePadCues(frame, FACE, new Set(['lap_var', 'banding', 'halftone', 'highlight_saturation']));
    // A cue the caller does not want is not computed, even when it shares work with a wanted one.
    expect(Object.keys(some).sort()).toEqual(['banding', 'halftone', 'highlight_saturation', 'lap_var']);
    for (const name of Object.keys(some)) expect(some[name], name).toBe(all[name]);
  });

  it('takes highlight_saturation over the brightest quarter in stable value order, as a plain sort does', () => {
    // Many equal brightness values (a posterised face) put ties across the quarter boundary.
    const frame = paint((x, y) => {
      const level = 120 + 20 * ((Math.floor(x / 7) + Math.floor(y / 5)) % 5);
      return [level, level - ((x * 3 + y) % 40), level - 30 - ((x + y * 5) % 25)];
    });
    const face = sampleRegion(frame, FACE[0] + FACE[2] * 0.1, FACE[1] + FACE[3] * 0.1, FACE[2] * 0.8, FACE[3] * 0.8, FACE_N, FACE_N);
    const n = face.w * face.h;
    const value = (i: number) => Math.max(face.r[i], face.g[i], face.b[i]);
    const saturation = (i: number) => (value(i) > 0 ? (value(i) - Math.min(face.r[i], face.g[i], face.b[i])) / value(i) : 0);
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => value(a) - value(b));
    let sum = 0;
    for (const i of order.slice(Math.floor((3 * n) / 4))) sum += saturation(i);
    expect(computePadCues(frame, FACE, new Set(['highlight_saturation'])).highlight_saturation).toBe(sum / (n - Math.floor((3 * n) / 4)));
  });

  it('raises the paper-grain and ink-detail cues for a print-like dot screen of colour', () => {
    const plain = computePadCues(paint(skin), FACE);
    // Cyan and magenta dots on alternate pixels: a coarse colour halftone, detail in chroma, not in brightness.
    const printed = computePadCues(
      paint((x, y) => {
        const [r, g, b] = skin(x, y);
        const dot = (x + y) % 2 === 0 ? 14 : -14;
        return [r + dot, g - dot, b + dot];
      }),
      FACE,
    );
    expect(printed.chroma_detail).toBeGreaterThan(plain.chroma_detail + 0.5);
    expect(printed.lbp_nonuniform).toBeGreaterThan(plain.lbp_nonuniform);
  });

  it('lifts the black level when a veil of glare covers dark features', () => {
    const dark = (x: number, y: number): [number, number, number] =>
      Math.hypot(x - 290, y - 210) < 14 || Math.hypot(x - 350, y - 210) < 14 ? [10, 10, 10] : skin(x, y);
    const deep = computePadCues(paint(dark), FACE);
    const veiled = computePadCues(
      paint((x, y) => {
        const [r, g, b] = dark(x, y);
        return [60 + 0.75 * r, 60 + 0.75 * g, 60 + 0.75 * b];
      }),
      FACE,
    );
    expect(veiled.black_lift).toBeGreaterThan(deep.black_lift + 0.2);
  });

  it('reads the nose relief from the mesh', () => {
    const flat = computePadCues(paint(skin), FACE, undefined, meshOnFace(0));
    const relief = computePadCues(paint(skin), FACE, undefined, meshOnFace(30));
    expect(relief.nose_relief).toBeGreaterThan(flat.nose_relief + 0.2);
  });

  // Colour-reproduction cues (src/node/engine/pad/colour-cues.ts), on frames built to show one effect each.
  it("lowers highlight_saturation when the face's highlights are clipped to a display's white", () => {
    const clipped = (x: number, y: number): [number, number, number] => {
      const [r, g, b] = skin(x, y);
      const over = Math.max(0, g - 150) * 3;
      return [r + over, g + over, b + over];
    };
    expect(computePadCues(paint(clipped), FACE).highlight_saturation).toBeLessThan(
      computePadCues(paint(skin), FACE).highlight_saturation - 0.05,
    );
  });

  it('raises hue_spread when red and blue carry detail of their own (sub-pixel fringes)', () => {
    let seed = 7;
    const noise = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5) * 30;
    const shared = (x: number, y: number): [number, number, number] => {
      const [r, g, b] = skin(x, y);
      const n = noise();
      return [r + n, g + n, b + n];
    };
    const fringed = (x: number, y: number): [number, number, number] => {
      const [r, g, b] = skin(x, y);
      return [r + noise(), g, b + noise()];
    };
    const live = computePadCues(paint(shared), FACE);
    const screen = computePadCues(paint(fringed), FACE);
    expect(screen.hue_spread).toBeGreaterThan(live.hue_spread);
  });

  it("reads the cheeks' colour from mesh-placed patches: a bluish white point lowers cheek_green_blue and cheek_saturation", () => {
    const bluish = (x: number, y: number): [number, number, number] => {
      const [r, g, b] = skin(x, y);
      return [r - 10, g, b + 35];
    };
    const mesh = meshOnFace(20);
    for (const i of [101, 36, 205, 187, 123, 117]) mesh[i] = [275, 265, 0];
    for (const i of [330, 266, 425, 411, 352, 346]) mesh[i] = [365, 265, 0];
    const live = computePadCues(paint(skin), FACE, undefined, mesh);
    const screen = computePadCues(paint(bluish), FACE, undefined, mesh);
    expect(screen.cheek_green_blue).toBeLessThan(live.cheek_green_blue - 0.05);
    expect(screen.cheek_saturation).toBeLessThan(live.cheek_saturation);
  });

  it('refuses a frame whose buffer is too small', () => {
    expect(() => computePadCues({ data: new Uint8Array(10), width: W, height: H }, FACE)).toThrow(RangeError);
  });
});

describe('FFT', () => {
  it('puts a pure cosine in its bin', () => {
    const n = 64;
    const re = new Float64Array(n).map((_, i) => Math.cos((2 * Math.PI * 5 * i) / n));
    const im = new Float64Array(n);
    fft1d(re, im, n);
    expect(re[5]).toBeCloseTo(n / 2, 9);
    expect(re[n - 5]).toBeCloseTo(n / 2, 9);
    expect(Math.abs(re[6]) + Math.abs(im[6])).toBeLessThan(1e-9);
  });

  it('transforms a strided column the same as the same values laid out in a row', () => {
    const n = 16;
    const stride = 5;
    const column = { re: new Float64Array(n * stride), im: new Float64Array(n * stride) };
    const row = { re: new Float64Array(n), im: new Float64Array(n) };
    for (let k = 0; k < n; k++) {
      row.re[k] = column.re[2 + k * stride] = Math.sin(k * 1.3) + k / 7;
      row.im[k] = column.im[2 + k * stride] = Math.cos(k * 0.4);
    }
    fft1d(column.re, column.im, n, 2, stride);
    fft1d(row.re, row.im, n);
    for (let k = 0; k < n; k++) {
      expect(column.re[2 + k * stride]).toBe(row.re[k]);
      expect(column.im[2 + k * stride]).toBe(row.im[k]);
    }
    // Values between the column's were left alone.
    expect(column.re[3]).toBe(0);
  });

  it('two power spectra from one complex FFT match each image on its own', () => {
    const n = 16;
    const a = new Float32Array(n * n).map((_, i) => Math.sin(i * 0.9) * 30 + (i % 3));
    const b = new Float32Array(n * n).map((_, i) => Math.cos(i * 0.23) * 12 + (i % 7));
    const [pa, pb] = pairedPowerSpectra(a, b, n);
    const [sa, sb] = [powerSpectrum2d(a, n), powerSpectrum2d(b, n)];
    for (let i = 0; i < n * n; i++) {
      expect(pa[i]).toBeCloseTo(sa[i], 6);
      expect(pb[i]).toBeCloseTo(sb[i], 6);
    }
  });

  it('2-D power spectrum matches a direct DFT', () => {
    const n = 8;
    const px = new Float32Array(n * n).map((_, i) => Math.sin(i * 0.7) * 40 + (i % 5));
    const power = powerSpectrum2d(px, n);
    let mean = 0;
    px.forEach((v) => (mean += v));
    mean /= n * n;
    const w = (i: number) => 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / n);
    for (const [u, v] of [
      [0, 0],
      [1, 2],
      [3, 7],
      [4, 4],
    ]) {
      let r = 0;
      let i = 0;
      for (let y = 0; y < n; y++) {
        for (let x = 0; x < n; x++) {
          const a = (-2 * Math.PI * (u * x + v * y)) / n;
          const val = (px[y * n + x] - mean) * w(x) * w(y);
          r += val * Math.cos(a);
          i += val * Math.sin(a);
        }
      }
      expect(power[v * n + u]).toBeCloseTo(r * r + i * i, 6);
    }
  });
});
