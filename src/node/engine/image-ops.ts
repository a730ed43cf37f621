// Pixel work on packed RGB frames: affine bilinear sampling straight into model tensors, and small statistics.
import type { RgbFrame } from './api';

/**
 * Maps output pixel coordinates (u, v) (continuous, pixel centres at +0.5) to source frame coordinates:
 * x = a*u + b*v + c, y = d*u + e*v + f.
 */
export interface Affine {
  a: number;
  b: number;
  c: number;
  d: number;
  e: number;
  f: number;
}

export function applyAffine(t: Affine, u: number, v: number): [number, number] {
  return [t.a * u + t.b * v + t.c, t.d * u + t.e * v + t.f];
}

/**
 * The affine that samples a square of side `side` source pixels centred at (cx, cy), rotated by `angle` radians
 * (clockwise in y-down image coordinates), into an outSize x outSize output.
 */
export function squareCropAffine(cx: number, cy: number, side: number, angle: number, outSize: number): Affine {
  const s = side / outSize;
  const cos = Math.cos(angle) * s;
  const sin = Math.sin(angle) * s;
  const half = outSize / 2;
  // source = centre + R(angle) * ((u, v) - half) * s
  return { a: cos, b: -sin, c: cx - cos * half + sin * half, d: sin, e: cos, f: cy - sin * half - cos * half };
}

/** Compose: first `inner` (output -> intermediate), then `outer` (intermediate -> source). */
/** The affine that stretches the axis-aligned rectangle [x0,x1] x [y0,y1] onto an outW x outH output. */
export function rectAffine(x0: number, y0: number, x1: number, y1: number, outW: number, outH: number): Affine {
  return { a: (x1 - x0) / outW, b: 0, c: x0, d: 0, e: (y1 - y0) / outH, f: y0 };
}

export function composeAffine(outer: Affine, inner: Affine): Affine {
  return {
    a: outer.a * inner.a + outer.b * inner.d,
    b: outer.a * inner.b + outer.b * inner.e,
    c: outer.a * inner.c + outer.b * inner.f + outer.c,
    d: outer.d * inner.a + outer.e * inner.d,
    e: outer.d * inner.b + outer.e * inner.e,
    f: outer.d * inner.c + outer.e * inner.f + outer.f,
  };
}

/**
 * Bilinear-sample the frame through `t` into an NHWC float tensor slice: value = pixel * scale + bias.
 * Samples outside the frame read as black (pixel 0), like a zero-padded letterbox.
 * `flipX` mirrors the output horizontally (the iris model sees every eye as a right eye); `bgr` writes the channels
 * in OpenCV order (for models trained on cv2.imread images). `window` fills only the output square
 * [from, to) x [from, to), with the values the full call writes there.
 */
/** A square of output pixels, [from, to) on both axes. */
export interface OutputWindow {
  from: number;
  to: number;
}

export function sampleAffine(
  frame: RgbFrame,
  t: Affine,
  outW: number,
  outH: number,
  out: Float32Array,
  outOffset: number,
  scale: number,
  bias: number,
  flipX = false,
  bgr = false,
  window: OutputWindow = { from: 0, to: Math.max(outW, outH) },
): void {
  if (t.b === 0 && t.d === 0) {
    sampleAxisAligned(frame, t, outW, outH, out, outOffset, scale, bias, flipX, window);
  } else {
    sampleRotated(frame, t, outW, outH, out, outOffset, scale, bias, flipX, window);
  }
  if (bgr) {
    const end = outOffset + outW * outH * 3;
    for (let o = outOffset; o < end; o += 3) {
      const r = out[o];
      out[o] = out[o + 2];
      out[o + 2] = r;
    }
  }
}

function sampleRotated(
  frame: RgbFrame,
  t: Affine,
  outW: number,
  outH: number,
  out: Float32Array,
  outOffset: number,
  scale: number,
  bias: number,
  flipX: boolean,
  window: OutputWindow,
): void {
  const { data, width, height } = frame;
  const rowStride = width * 3;
  const uFrom = Math.max(0, window.from);
  const uTo = Math.min(outW, window.to);
  const maxX = width - 1;
  const maxY = height - 1;
  // Walk each output row incrementally; a flipped row walks the source backwards.
  const du = flipX ? -1 : 1;
  const stepX = t.a * du;
  const stepY = t.d * du;
  for (let v = Math.max(0, window.from); v < Math.min(outH, window.to); v++) {
    const vc = v + 0.5;
    const u0 = (flipX ? outW - 1 : 0) + 0.5;
    let x = t.a * u0 + t.b * vc + t.c - 0.5;
    let y = t.d * u0 + t.e * vc + t.f - 0.5;
    // Step to the window's first column by the same additions the full row makes (bit-identical coordinates).
    for (let skip = 0; skip < uFrom; skip++, x += stepX, y += stepY);
    let o = outOffset + (v * outW + uFrom) * 3;
    for (let uo = uFrom; uo < uTo; uo++, o += 3, x += stepX, y += stepY) {
      // Interior: all four taps inside the frame (nearly every pixel of a face crop). For x >= 0, `x | 0` is
      // Math.floor(x) as an int32, which indexes the frame without a float-to-int conversion at every tap.
      if (x >= 0 && y >= 0 && x < maxX && y < maxY) {
        const x0 = x | 0;
        const y0 = y | 0;
        const fx = x - x0;
        const fy = y - y0;
        const p00 = y0 * rowStride + x0 * 3;
        const p01 = p00 + rowStride;
        const wx = 1 - fx;
        const top = wx * (1 - fy) * scale;
        const topR = fx * (1 - fy) * scale;
        const bot = wx * fy * scale;
        const botR = fx * fy * scale;
        out[o] = top * data[p00] + topR * data[p00 + 3] + bot * data[p01] + botR * data[p01 + 3] + bias;
        out[o + 1] = top * data[p00 + 1] + topR * data[p00 + 4] + bot * data[p01 + 1] + botR * data[p01 + 4] + bias;
        out[o + 2] = top * data[p00 + 2] + topR * data[p00 + 5] + bot * data[p01 + 2] + botR * data[p01 + 5] + bias;
        continue;
      }
      if (x <= -1 || y <= -1 || x >= width || y >= height) {
        out[o] = bias;
        out[o + 1] = bias;
        out[o + 2] = bias;
        continue;
      }
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      const fx = x - x0;
      const fy = y - y0;
      const p00 = y0 * rowStride + x0 * 3;
      // Edge pixels beyond the frame count as black, matching the zero padding above.
      const w00 = (1 - fx) * (1 - fy);
      const w10 = fx * (1 - fy);
      const w01 = (1 - fx) * fy;
      const w11 = fx * fy;
      const inX0 = x0 >= 0;
      const inX1 = x0 + 1 <= maxX;
      const inY0 = y0 >= 0;
      const inY1 = y0 + 1 <= maxY;
      const p10 = p00 + 3;
      const p01 = p00 + rowStride;
      const p11 = p01 + 3;
      for (let ch = 0; ch < 3; ch++) {
        let acc = 0;
        if (inY0) {
          if (inX0) acc += w00 * data[p00 + ch];
          if (inX1) acc += w10 * data[p10 + ch];
        }
        if (inY1) {
          if (inX0) acc += w01 * data[p01 + ch];
          if (inX1) acc += w11 * data[p11 + ch];
        }
        out[o + ch] = acc * scale + bias;
      }
    }
  }
}

/** sampleAffine without rotation (letterbox, plain crops): per-column and per-row weights computed once. */
function sampleAxisAligned(
  frame: RgbFrame,
  t: Affine,
  outW: number,
  outH: number,
  out: Float32Array,
  outOffset: number,
  scale: number,
  bias: number,
  flipX: boolean,
  window: OutputWindow,
): void {
  const { data, width, height } = frame;
  const uFrom = Math.max(0, window.from);
  const uTo = Math.min(outW, window.to);
  // Per column: the two source byte offsets (-1 when outside the frame) and their weights, scale folded in.
  const colA = new Int32Array(outW);
  const colB = new Int32Array(outW);
  const colWa = new Float32Array(outW);
  const colWb = new Float32Array(outW);
  for (let uo = 0; uo < outW; uo++) {
    const x = t.a * ((flipX ? outW - 1 - uo : uo) + 0.5) + t.c - 0.5;
    const x0 = Math.floor(x);
    const fx = x - x0;
    colA[uo] = x0 >= 0 && x0 < width ? x0 * 3 : -1;
    colB[uo] = x0 + 1 >= 0 && x0 + 1 < width ? (x0 + 1) * 3 : -1;
    colWa[uo] = (1 - fx) * scale;
    colWb[uo] = fx * scale;
  }
  const rowStride = width * 3;
  for (let v = Math.max(0, window.from); v < Math.min(outH, window.to); v++) {
    const y = t.e * (v + 0.5) + t.f - 0.5;
    const y0 = Math.floor(y);
    const fy = y - y0;
    const rowA = y0 >= 0 && y0 < height ? y0 * rowStride : -1;
    const rowB = y0 + 1 >= 0 && y0 + 1 < height ? (y0 + 1) * rowStride : -1;
    const wa = 1 - fy;
    const wb = fy;
    let o = outOffset + (v * outW + uFrom) * 3;
    for (let uo = uFrom; uo < uTo; uo++, o += 3) {
      const ca = colA[uo];
      const cb = colB[uo];
      const wca = colWa[uo];
      const wcb = colWb[uo];
      let r = 0;
      let g = 0;
      let b = 0;
      if (rowA >= 0) {
        if (ca >= 0) {
          const w = wa * wca;
          r += w * data[rowA + ca];
          g += w * data[rowA + ca + 1];
          b += w * data[rowA + ca + 2];
        }
        if (cb >= 0) {
          const w = wa * wcb;
          r += w * data[rowA + cb];
          g += w * data[rowA + cb + 1];
          b += w * data[rowA + cb + 2];
        }
      }
      if (rowB >= 0) {
        if (ca >= 0) {
          const w = wb * wca;
          r += w * data[rowB + ca];
          g += w * data[rowB + ca + 1];
          b += w * data[rowB + ca + 2];
        }
        if (cb >= 0) {
          const w = wb * wcb;
          r += w * data[rowB + cb];
          g += w * data[rowB + cb + 1];
          b += w * data[rowB + cb + 2];
        }
      }
      out[o] = r + bias;
      out[o + 1] = g + bias;
      out[o + 2] = b + bias;
    }
  }
}

/** Bilinear resize of an NHWC float image (one batch item) into another size, same value range. */
export function resizeTensor(
  src: Float32Array,
  srcOffset: number,
  srcSize: number,
  out: Float32Array,
  outOffset: number,
  outSize: number,
): void {
  const s = srcSize / outSize;
  const max = srcSize - 1;
  for (let v = 0; v < outSize; v++) {
    const y = Math.min(max, Math.max(0, (v + 0.5) * s - 0.5));
    const y0 = Math.floor(y);
    const y1 = Math.min(max, y0 + 1);
    const fy = y - y0;
    for (let u = 0; u < outSize; u++) {
      const x = Math.min(max, Math.max(0, (u + 0.5) * s - 0.5));
      const x0 = Math.floor(x);
      const x1 = Math.min(max, x0 + 1);
      const fx = x - x0;
      const i00 = srcOffset + (y0 * srcSize + x0) * 3;
      const i10 = srcOffset + (y0 * srcSize + x1) * 3;
      const i01 = srcOffset + (y1 * srcSize + x0) * 3;
      const i11 = srcOffset + (y1 * srcSize + x1) * 3;
      const o = outOffset + (v * outSize + u) * 3;
      for (let ch = 0; ch < 3; ch++) {
        const top = src[i00 + ch] + (src[i10 + ch] - src[i00 + ch]) * fx;
        const bottom = src[i01 + ch] + (src[i11 + ch] - src[i01 + ch]) * fx;
        out[o + ch] = top + (bottom - top) * fy;
      }
    }
  }
}

/** Rec. 601 luma of an RGB triple in the same units. */
export function luma(r: number, g: number, b: number): number {
  return 0.299 * r + 0.587 * g + 0.114 * b;
}

/** Mean luma of a frame 0-255, on a sparse grid (a frame's brightness does not need every pixel). */
export function frameMeanLuma(frame: RgbFrame, samples = 4096): number {
  const { data, width, height } = frame;
  const step = Math.max(1, Math.floor(Math.sqrt((width * height) / samples)));
  let sum = 0;
  let n = 0;
  for (let y = Math.floor(step / 2); y < height; y += step) {
    for (let x = Math.floor(step / 2); x < width; x += step) {
      const i = (y * width + x) * 3;
      sum += luma(data[i], data[i + 1], data[i + 2]);
      n++;
    }
  }
  return n ? sum / n : 0;
}

/** Mean RGB (0-255) of the axis-aligned rectangle, clipped to the frame, sampled on a grid of at most ~400 points. */
export function rectMeanRgb(frame: RgbFrame, x0: number, y0: number, x1: number, y1: number): [number, number, number] | null {
  const xa = Math.max(0, Math.floor(Math.min(x0, x1)));
  const ya = Math.max(0, Math.floor(Math.min(y0, y1)));
  const xb = Math.min(frame.width, Math.ceil(Math.max(x0, x1)));
  const yb = Math.min(frame.height, Math.ceil(Math.max(y0, y1)));
  if (xb <= xa || yb <= ya) return null;
  const step = Math.max(1, Math.floor(Math.sqrt(((xb - xa) * (yb - ya)) / 400)));
  let r = 0;
  let g = 0;
  let b = 0;
  let n = 0;
  for (let y = ya; y < yb; y += step) {
    for (let x = xa; x < xb; x += step) {
      const i = (y * frame.width + x) * 3;
      r += frame.data[i];
      g += frame.data[i + 1];
      b += frame.data[i + 2];
      n++;
    }
  }
  return [r / n, g / n, b / n];
}

/** The output pixels cropLumaStats reads for these fractions of the crop side. */
export function lumaStatsWindow(size: number, from: number, to: number): OutputWindow {
  return { from: Math.floor(size * from), to: Math.ceil(size * to) };
}

/**
 * Luma statistics of the centre of an NHWC [0,1] crop tensor: mean luma (0-255) and the variance of the
 * 4-neighbour Laplacian (0-255 units), the classic focus measure.
 */
export function cropLumaStats(
  tensor: Float32Array,
  offset: number,
  size: number,
  from: number,
  to: number,
): { meanLuma: number; laplacianVariance: number } {
  const { from: x0, to: x1 } = lumaStatsWindow(size, from, to);
  const w = x1 - x0;
  const grey = new Float32Array(w * w);
  let sum = 0;
  for (let y = 0; y < w; y++) {
    for (let x = 0; x < w; x++) {
      const i = offset + ((y + x0) * size + (x + x0)) * 3;
      const value = luma(tensor[i], tensor[i + 1], tensor[i + 2]) * 255;
      grey[y * w + x] = value;
      sum += value;
    }
  }
  let lapSum = 0;
  let lapSq = 0;
  let n = 0;
  for (let y = 1; y < w - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const lap = grey[i - 1] + grey[i + 1] + grey[i - w] + grey[i + w] - 4 * grey[i];
      lapSum += lap;
      lapSq += lap * lap;
      n++;
    }
  }
  const lapMean = n ? lapSum / n : 0;
  return { meanLuma: sum / (w * w), laplacianVariance: n ? lapSq / n - lapMean * lapMean : 0 };
}

/**
 * Mean luma (0-255) of each cell of a grid x grid partition of the rectangle [x0, y0, w, h], reading every
 * `step`-th pixel: a face's signature, compared between camera frames to tell whether the face has moved.
 */
export function cellLuma(
  frame: RgbFrame,
  [x0, y0, w, h]: [number, number, number, number],
  grid: number,
  out: Float32Array,
  step = 2,
): void {
  const left = Math.max(0, Math.floor(x0));
  const top = Math.max(0, Math.floor(y0));
  const right = Math.min(frame.width, Math.ceil(x0 + w));
  const bottom = Math.min(frame.height, Math.ceil(y0 + h));
  const counts = new Uint32Array(grid * grid);
  out.fill(0, 0, grid * grid);
  const cellW = Math.max(1, right - left) / grid;
  const cellH = Math.max(1, bottom - top) / grid;
  const d = frame.data;
  for (let y = top; y < bottom; y += step) {
    const row = Math.min(grid - 1, Math.floor((y - top) / cellH)) * grid;
    for (let x = left; x < right; x += step) {
      const i = (y * frame.width + x) * 3;
      const cell = row + Math.min(grid - 1, Math.floor((x - left) / cellW));
      out[cell] += luma(d[i], d[i + 1], d[i + 2]);
      counts[cell]++;
    }
  }
  for (let c = 0; c < grid * grid; c++) out[c] = counts[c] ? out[c] / counts[c] : 0;
}

/** The largest change of one cell between two signatures of the same grid (0-255). */
export function maxCellChange(a: Float32Array, b: Float32Array, cells: number): number {
  let max = 0;
  for (let c = 0; c < cells; c++) max = Math.max(max, Math.abs(a[c] - b[c]));
  return max;
}
