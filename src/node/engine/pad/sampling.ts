// Region sampling shared by the PAD cue groups: resample a frame region to a small plane set, greyscale, halving.
import type { BBox } from '../../../shared/analysis';
import type { RgbFrame } from '../api';

/** Which cues the caller wants: a cue group computes only these, and only the work they need. */
export type CueWanted = (name: string) => boolean;
export const EVERY_CUE: CueWanted = () => true;

/** The wanted cues of a group, in the group's order; a cue's formula runs only when it is wanted. */
export function wantedCues(wants: CueWanted, cues: Record<string, () => number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of Object.keys(cues)) if (wants(name)) out[name] = cues[name]();
  return out;
}

/** A value computed on first use and kept (work shared by several cues of a group). */
export function once<T>(compute: () => T): () => T {
  let value: T | undefined;
  let done = false;
  return () => {
    if (!done) {
      value = compute();
      done = true;
    }
    return value as T;
  };
}

export interface Planes {
  r: Float32Array;
  g: Float32Array;
  b: Float32Array;
  /** 1 where the sample fell inside the frame. */
  valid: Uint8Array;
  w: number;
  h: number;
}

/** Source pixel index of each tap along one axis (k taps per output pixel), -1 when the output pixel is outside. */
function axisTaps(start: number, span: number, out: number, k: number, limit: number): Int32Array {
  const taps = new Int32Array(out * k);
  const step = span / out;
  for (let o = 0; o < out; o++) {
    const centre = start + (o + 0.5) * step;
    for (let t = 0; t < k; t++) {
      taps[o * k + t] =
        centre < 0 || centre >= limit ? -1 : Math.min(limit - 1, Math.max(0, Math.floor(start + (o + (t + 0.5) / k) * step)));
    }
  }
  return taps;
}

/** Resample a region of the frame to outW x outH, averaging a 2x2 grid of source samples when shrinking. */
export function sampleRegion(frame: RgbFrame, x0: number, y0: number, rw: number, rh: number, outW: number, outH: number): Planes {
  const n = outW * outH;
  const planes: Planes = {
    r: new Float32Array(n),
    g: new Float32Array(n),
    b: new Float32Array(n),
    valid: new Uint8Array(n),
    w: outW,
    h: outH,
  };
  const { data, width, height } = frame;
  // Two taps per axis when shrinking by more than 1.5x (some anti-aliasing), one otherwise.
  const kx = rw / outW > 1.5 ? 2 : 1;
  const ky = rh / outH > 1.5 ? 2 : 1;
  const xs = axisTaps(x0, rw, outW, kx, width);
  const ys = axisTaps(y0, rh, outH, ky, height);
  const inv = 1 / (kx * ky);
  for (let oy = 0; oy < outH; oy++) {
    if (ys[oy * ky] < 0) continue;
    for (let ox = 0; ox < outW; ox++) {
      if (xs[ox * kx] < 0) continue;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let j = 0; j < ky; j++) {
        const row = ys[oy * ky + j] * width;
        for (let i = 0; i < kx; i++) {
          const p = (row + xs[ox * kx + i]) * 3;
          r += data[p];
          g += data[p + 1];
          b += data[p + 2];
        }
      }
      const o = oy * outW + ox;
      planes.r[o] = r * inv;
      planes.g[o] = g * inv;
      planes.b[o] = b * inv;
      planes.valid[o] = 1;
    }
  }
  return planes;
}

/** Halve a plane set by 2x2 averaging. */
export function halve(p: Planes): Planes {
  const w = p.w >> 1;
  const h = p.h >> 1;
  const out: Planes = {
    r: new Float32Array(w * h),
    g: new Float32Array(w * h),
    b: new Float32Array(w * h),
    valid: new Uint8Array(w * h),
    w,
    h,
  };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = 2 * y * p.w + 2 * x;
      const o = y * w + x;
      out.r[o] = (p.r[i] + p.r[i + 1] + p.r[i + p.w] + p.r[i + p.w + 1]) / 4;
      out.g[o] = (p.g[i] + p.g[i + 1] + p.g[i + p.w] + p.g[i + p.w + 1]) / 4;
      out.b[o] = (p.b[i] + p.b[i + 1] + p.b[i + p.w] + p.b[i + p.w + 1]) / 4;
      out.valid[o] = p.valid[i] & p.valid[i + 1] & p.valid[i + p.w] & p.valid[i + p.w + 1];
    }
  }
  return out;
}

export function toGrey(p: Planes): Float32Array {
  const out = new Float32Array(p.w * p.h);
  for (let i = 0; i < out.length; i++) out[i] = 0.299 * p.r[i] + 0.587 * p.g[i] + 0.114 * p.b[i];
  return out;
}

/** The q-quantile (0-1) of values binned in a 256-bin histogram. */
export function percentile(histogram: Uint32Array, total: number, q: number): number {
  const target = q * total;
  let seen = 0;
  for (let v = 0; v < histogram.length; v++) {
    seen += histogram[v];
    if (seen >= target) return v;
  }
  return histogram.length - 1;
}

/** Clamp the box to the frame; a box that misses the frame falls back to the whole frame. */
export function clampBox(frame: RgbFrame, bbox: BBox): BBox {
  const x0 = Math.max(0, Math.min(frame.width - 1, bbox[0]));
  const y0 = Math.max(0, Math.min(frame.height - 1, bbox[1]));
  const x1 = Math.max(x0 + 1, Math.min(frame.width, bbox[0] + bbox[2]));
  const y1 = Math.max(y0 + 1, Math.min(frame.height, bbox[1] + bbox[3]));
  if (!(x1 - x0 >= 2 && y1 - y0 >= 2)) return [0, 0, frame.width, frame.height];
  return [x0, y0, x1 - x0, y1 - y0];
}

/** Side of the native-resolution centre patch the spectral and print cues run on (power of two for the FFT). */
export const PATCH_N = 128;

/**
 * The centre of the face at native resolution (up to PATCH_N px, never downsampled): moiré, halftone and paper grain
 * live near the pixel pitch and any averaging would erase them.
 */
export function centrePatch(frame: RgbFrame, box: BBox): Planes {
  const side = Math.min(PATCH_N, box[2] * 0.6, box[3] * 0.6);
  return sampleRegion(frame, box[0] + box[2] / 2 - side / 2, box[1] + box[3] * 0.45 - side / 2, side, side, PATCH_N, PATCH_N);
}

/** Cb and Cr (BT.601, 0-255) of a plane set. */
export function chromaPlanes(p: Planes): { cb: Float32Array; cr: Float32Array } {
  const cb = new Float32Array(p.w * p.h);
  const cr = new Float32Array(p.w * p.h);
  for (let i = 0; i < cb.length; i++) {
    cb[i] = 128 - 0.168736 * p.r[i] - 0.331264 * p.g[i] + 0.5 * p.b[i];
    cr[i] = 128 + 0.5 * p.r[i] - 0.418688 * p.g[i] - 0.081312 * p.b[i];
  }
  return { cb, cr };
}
