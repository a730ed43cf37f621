// Physical presentation-attack cues: numbers that recaptures (screens, prints) shift, computed on a small face crop
// and on a ring around the face. Pure math on pixels, no Node imports; each cue is documented in PAD_CUE_DOCS.
import type { BBox } from '../../shared/analysis';
import type { RgbFrame } from './api';

/** Side of the native-resolution centre patch the spectral cues run on (power of two for the FFT). */
const PATCH_N = 128;
/** Side of the chroma plane the halftone cue runs on (the patch halved). */
const CHROMA_N = PATCH_N / 2;
/** Side of the whole-face crop the colour, glare and sharpness statistics run on. */
const FACE_N = 64;
/** Side of the square the ring (area around the face) is resampled to. */
const RING_N = 96;
/** Outer edge of the ring, as a multiple of the face box size (centred on the box). */
const RING_OUTER = 2.2;
/** Inner edge of the ring: a margin outside the box so hair and jaw edges do not count as a bezel. */
const RING_INNER = 1.15;

/** What each cue measures and which way recaptures usually push it. */
export const PAD_CUE_DOCS: Record<string, string> = {
  moire_peaks:
    'Fraction of high-frequency spectral power (FFT of the grey face crop, radius 0.2-1.0 of Nyquist) held by isolated peaks that stand 8x above their ring median: screen moiré. Higher on screens.',
  hf_ratio: 'log10 of spectral power above half Nyquist over power above 0.05 Nyquist: fine detail. Low for blurred recaptures, high for over-sharpened ones.',
  spectral_slope: 'Slope of log radial power vs log frequency (a natural image is near -2; blur makes it steeper, i.e. more negative).',
  banding: 'log10 of the strongest periodic component of the detrended row-mean profile over its median: refresh / rolling-shutter banding. Higher on screens.',
  halftone: 'Mean over Cb and Cr of the isolated-peak power fraction at mid-high frequencies: print halftone rosettes and sub-pixel colour patterns.',
  border_line: 'Coverage (0-1) of the strongest straight edge in the ring outside the face box, voted only by edge pixels aligned with it: a bezel or photo edge.',
  border_parallel: 'Coverage of the strongest straight edge parallel to border_line and clearly apart from it (0 when none): the two sides of a phone or a print.',
  ring_coverage: 'Fraction of the ring that lies inside the frame (0 for a tight crop, where the border cues cannot speak).',
  glare_frac: 'Fraction of face pixels that are saturated near-white (min channel > 235, low chroma): specular glare off glass or glossy paper.',
  glare_cluster: 'Fraction of glare pixels whose four neighbours are glare too: glare from a flat surface forms blobs, skin highlights are sparse.',
  lap_var: 'log10 of the Laplacian variance over the intensity variance of the face crop: sharpness independent of contrast. Low for blurred recaptures.',
  lap_kurtosis: 'log10 of the kurtosis of the Laplacian: heavy tails mean ringing / overshoot at edges from re-sharpening.',
  chroma_spread: 'Standard deviation of chroma (Cb, Cr combined, 0-255 units) over the face: screens and prints compress the gamut.',
  saturation: 'Mean HSV saturation of the face (0-1): washed-out recaptures are low.',
  skin_chroma_dist: 'Distance (0-255 units) of the mean face chroma (Cb, Cr) from the skin-tone centre (102, 153): screen white points shift hue.',
  dynamic_range: '(98th - 2nd percentile) of face luminance over 255: recaptures lose dynamic range.',
  local_contrast: 'Mean absolute difference between each face pixel and its 3x3 mean, over the mean luminance: micro-texture.',
};

export const PAD_CUE_NAMES = Object.keys(PAD_CUE_DOCS);

/** Cues that share costly work (an FFT of the centre patch, the ring scan): asking for one computes the group. */
const SPECTRAL_CUES = ['moire_peaks', 'hf_ratio', 'spectral_slope', 'banding'];
const HALFTONE_CUES = ['halftone'];
const BORDER_CUES = ['border_line', 'border_parallel', 'ring_coverage'];

interface Planes {
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
      taps[o * k + t] = centre < 0 || centre >= limit ? -1 : Math.min(limit - 1, Math.max(0, Math.floor(start + (o + (t + 0.5) / k) * step)));
    }
  }
  return taps;
}

/** Resample a region of the frame to outW x outH, averaging a 2x2 grid of source samples when shrinking. */
function sampleRegion(frame: RgbFrame, x0: number, y0: number, rw: number, rh: number, outW: number, outH: number): Planes {
  const n = outW * outH;
  const planes: Planes = { r: new Float32Array(n), g: new Float32Array(n), b: new Float32Array(n), valid: new Uint8Array(n), w: outW, h: outH };
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
function halve(p: Planes): Planes {
  const w = p.w >> 1;
  const h = p.h >> 1;
  const out: Planes = { r: new Float32Array(w * h), g: new Float32Array(w * h), b: new Float32Array(w * h), valid: new Uint8Array(w * h), w, h };
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

function toGrey(p: Planes): Float32Array {
  const out = new Float32Array(p.w * p.h);
  for (let i = 0; i < out.length; i++) out[i] = 0.299 * p.r[i] + 0.587 * p.g[i] + 0.114 * p.b[i];
  return out;
}

// ---------------------------------------------------------------- FFT

const twiddleCache = new Map<number, { cos: Float64Array; sin: Float64Array; rev: Uint32Array }>();

function twiddles(n: number) {
  let t = twiddleCache.get(n);
  if (!t) {
    const cos = new Float64Array(n / 2);
    const sin = new Float64Array(n / 2);
    for (let i = 0; i < n / 2; i++) {
      cos[i] = Math.cos((-2 * Math.PI * i) / n);
      sin[i] = Math.sin((-2 * Math.PI * i) / n);
    }
    const bits = Math.log2(n);
    const rev = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      rev[i] = r;
    }
    t = { cos, sin, rev };
    twiddleCache.set(n, t);
  }
  return t;
}

/** In-place iterative radix-2 FFT of n complex values at re/im[offset + k*stride]. */
export function fft1d(re: Float64Array, im: Float64Array, n: number, offset = 0, stride = 1): void {
  if (n < 2 || (n & (n - 1)) !== 0) throw new RangeError(`FFT size must be a power of two, got ${n}`);
  const { cos, sin, rev } = twiddles(n);
  for (let i = 0; i < n; i++) {
    const j = rev[i];
    if (j > i) {
      const a = offset + i * stride;
      const b = offset + j * stride;
      let t = re[a];
      re[a] = re[b];
      re[b] = t;
      t = im[a];
      im[a] = im[b];
      im[b] = t;
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const half = size >> 1;
    const step = n / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * step];
        const wi = sin[k * step];
        const a = offset + (start + k) * stride;
        const b = offset + (start + k + half) * stride;
        const xr = re[b] * wr - im[b] * wi;
        const xi = re[b] * wi + im[b] * wr;
        re[b] = re[a] - xr;
        im[b] = im[a] - xi;
        re[a] += xr;
        im[a] += xi;
      }
    }
  }
}

const hannCache = new Map<number, Float64Array>();

function hann(n: number): Float64Array {
  let w = hannCache.get(n);
  if (!w) {
    w = new Float64Array(n);
    for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / n);
    hannCache.set(n, w);
  }
  return w;
}

/** Copy an n x n plane into out with its mean removed and a 2-D Hann window applied (crop edges add no energy). */
function windowed(pixels: Float32Array, n: number, out: Float64Array): void {
  let mean = 0;
  for (let i = 0; i < n * n; i++) mean += pixels[i];
  mean /= n * n;
  const w = hann(n);
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) out[y * n + x] = (pixels[y * n + x] - mean) * w[x] * w[y];
}

function fft2d(re: Float64Array, im: Float64Array, n: number): void {
  for (let y = 0; y < n; y++) fft1d(re, im, n, y * n, 1);
  for (let x = 0; x < n; x++) fft1d(re, im, n, x, n);
}

/**
 * Power spectrum of an n x n real image (mean removed, Hann-windowed). Real input lets two rows share one complex
 * FFT and the column pass skip the mirrored half of the spectrum: about half the work of a plain complex 2-D FFT.
 */
export function powerSpectrum2d(pixels: Float32Array, n: number): Float64Array {
  const w = new Float64Array(n * n);
  windowed(pixels, n, w);
  const re = new Float64Array(n * n);
  const im = new Float64Array(n * n);
  const zr = new Float64Array(n);
  const zi = new Float64Array(n);
  for (let y = 0; y < n; y += 2) {
    for (let x = 0; x < n; x++) {
      zr[x] = w[y * n + x];
      zi[x] = w[(y + 1) * n + x];
    }
    fft1d(zr, zi, n);
    for (let k = 0; k < n; k++) {
      const m = (n - k) % n;
      re[y * n + k] = (zr[k] + zr[m]) / 2;
      im[y * n + k] = (zi[k] - zi[m]) / 2;
      re[(y + 1) * n + k] = (zi[k] + zi[m]) / 2;
      im[(y + 1) * n + k] = (zr[m] - zr[k]) / 2;
    }
  }
  const power = new Float64Array(n * n);
  for (let u = 0; u <= n / 2; u++) {
    fft1d(re, im, n, u, n);
    for (let v = 0; v < n; v++) {
      const p = re[v * n + u] ** 2 + im[v * n + u] ** 2;
      power[v * n + u] = p;
      // A real image's spectrum is Hermitian: P(-u, -v) = P(u, v).
      power[((n - v) % n) * n + ((n - u) % n)] = p;
    }
  }
  return power;
}

/** Power spectra of two real n x n images with one complex FFT (a in the real part, b in the imaginary part). */
function pairedPowerSpectra(a: Float32Array, b: Float32Array, n: number): [Float64Array, Float64Array] {
  const re = new Float64Array(n * n);
  const im = new Float64Array(n * n);
  windowed(a, n, re);
  windowed(b, n, im);
  fft2d(re, im, n);
  const pa = new Float64Array(n * n);
  const pb = new Float64Array(n * n);
  for (let v = 0; v < n; v++) {
    for (let u = 0; u < n; u++) {
      const i = v * n + u;
      const j = ((n - v) % n) * n + ((n - u) % n);
      // A_k = (Z_k + conj Z_-k) / 2, B_k = (Z_k - conj Z_-k) / 2i
      const ar = (re[i] + re[j]) / 2;
      const ai = (im[i] - im[j]) / 2;
      const br = (im[i] + im[j]) / 2;
      const bi = (re[j] - re[i]) / 2;
      pa[i] = ar * ar + ai * ai;
      pb[i] = br * br + bi * bi;
    }
  }
  return [pa, pb];
}

/** Signed frequency of FFT bin k of n. */
const freq = (k: number, n: number) => (k < n / 2 ? k : k - n);

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = values.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

interface SpectrumStats {
  peakFraction: number;
  hfRatio: number;
  slope: number;
}

/** The k-th smallest value (reorders `values`); linear time on average. */
function quickSelect(values: Float64Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const t = values[i];
        values[i] = values[j];
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k];
  }
  return values[k];
}

const ringCache = new Map<number, { ringOf: Int32Array; members: Int32Array[] }>();

/** For an n x n spectrum: each bin's integer radius, and the bins of each radius. */
function ringsFor(n: number) {
  let cached = ringCache.get(n);
  if (!cached) {
    const ringOf = new Int32Array(n * n);
    const lists: number[][] = Array.from({ length: Math.ceil((n / 2) * Math.SQRT2) + 1 }, () => []);
    for (let v = 0; v < n; v++) {
      for (let u = 0; u < n; u++) {
        const fu = freq(u, n);
        const fv = freq(v, n);
        const ring = Math.round(Math.sqrt(fu * fu + fv * fv));
        ringOf[v * n + u] = ring;
        lists[ring].push(v * n + u);
      }
    }
    cached = { ringOf, members: lists.map((l) => Int32Array.from(l)) };
    ringCache.set(n, cached);
  }
  return cached;
}

/**
 * Isolated peaks vs the smooth radial falloff: a bin is a peak when it is a 3x3 local maximum and exceeds its
 * ring's median by `peakFactor`; its excess power counts towards the peak fraction of the band [rMin, rMax].
 */
function spectrumStats(power: Float64Array, n: number, rMin: number, rMax: number, peakFactor = 8): SpectrumStats {
  const half = n / 2;
  const { ringOf, members } = ringsFor(n);
  const ringMedian = new Float64Array(members.length);
  const scratch = new Float64Array(Math.max(...members.map((m) => m.length)));
  const ringMean = new Float64Array(members.length);
  for (let ring = 0; ring < members.length; ring++) {
    const idx = members[ring];
    if (idx.length === 0) continue;
    const inBand = ring / half >= rMin && ring / half <= rMax;
    const values = inBand ? scratch.subarray(0, idx.length) : scratch;
    let sum = 0;
    for (let k = 0; k < idx.length; k++) {
      const p = power[idx[k]];
      if (inBand) values[k] = p;
      sum += p;
    }
    ringMean[ring] = sum / idx.length;
    if (inBand) ringMedian[ring] = quickSelect(values, idx.length >> 1);
  }
  let bandPower = 0;
  let peakPower = 0;
  let hf = 0;
  let all = 0;
  for (let v = 0; v < n; v++) {
    for (let u = 0; u < n; u++) {
      const i = v * n + u;
      const ring = ringOf[i];
      const r = ring / half;
      const p = power[i];
      if (r >= 0.05 && r <= 1) {
        all += p;
        if (r >= 0.5) hf += p;
      }
      if (r < rMin || r > rMax) continue;
      bandPower += p;
      if (p <= peakFactor * ringMedian[ring]) continue;
      let isMax = true;
      for (let dy = -1; dy <= 1 && isMax; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          if (!dx && !dy) continue;
          if (power[((v + dy + n) % n) * n + ((u + dx + n) % n)] > p) {
            isMax = false;
            break;
          }
        }
      }
      if (isMax) peakPower += p - ringMedian[ring];
    }
  }
  // Least-squares slope of log mean ring power against log radius, over the band where faces carry texture.
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  let count = 0;
  for (let ring = Math.max(2, Math.round(0.05 * half)); ring <= Math.round(0.9 * half); ring++) {
    if (ringMean[ring] <= 0) continue;
    const x = Math.log(ring);
    const y = Math.log(ringMean[ring]);
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
    count++;
  }
  const slope = count > 2 ? (count * sxy - sx * sy) / (count * sxx - sx * sx) : 0;
  return {
    peakFraction: bandPower > 0 ? peakPower / bandPower : 0,
    hfRatio: Math.log10((hf + 1e-9) / (all + 1e-9)),
    slope,
  };
}

/** Strength of the most periodic component of the detrended row-mean profile (refresh banding). */
function bandingScore(grey: Float32Array, n: number): number {
  const rows = new Float64Array(n);
  for (let y = 0; y < n; y++) {
    let s = 0;
    for (let x = 0; x < n; x++) s += grey[y * n + x];
    rows[y] = s / n;
  }
  // Remove the slow shading of the face (a 9-row moving average) so only periodic bands remain.
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let y = 0; y < n; y++) {
    let s = 0;
    let c = 0;
    for (let k = Math.max(0, y - 4); k <= Math.min(n - 1, y + 4); k++) {
      s += rows[k];
      c++;
    }
    re[y] = (rows[y] - s / c) * (0.5 - 0.5 * Math.cos((2 * Math.PI * (y + 0.5)) / n));
  }
  fft1d(re, im, n);
  const mags: number[] = [];
  for (let k = 4; k < n / 2; k++) mags.push(re[k] * re[k] + im[k] * im[k]);
  const peak = Math.max(...mags);
  return Math.log10((peak + 1e-9) / (median(mags) + 1e-9));
}

// ---------------------------------------------------------------- border (bezel / photo edge)

interface BorderStats {
  line: number;
  parallel: number;
  coverage: number;
}

/**
 * Hough transform over edge pixels of the ring, each voting only for lines along its own edge direction (+-9 deg),
 * so a long straight high-contrast edge (bezel, print edge) stands out from texture.
 */
function borderStats(frame: RgbFrame, bbox: BBox): BorderStats {
  const [bx, by, bw, bh] = bbox;
  const cx = bx + bw / 2;
  const cy = by + bh / 2;
  const ow = bw * RING_OUTER;
  const oh = bh * RING_OUTER;
  const ring = sampleRegion(frame, cx - ow / 2, cy - oh / 2, ow, oh, RING_N, RING_N);
  const grey = toGrey(ring);
  const n = RING_N;
  const innerHalf = (n * RING_INNER) / RING_OUTER / 2;
  const inRing = (x: number, y: number) => Math.abs(x + 0.5 - n / 2) > innerHalf || Math.abs(y + 0.5 - n / 2) > innerHalf;
  let ringPixels = 0;
  let validRing = 0;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      if (!inRing(x, y)) continue;
      ringPixels++;
      if (ring.valid[y * n + x]) validRing++;
    }
  }
  const coverage = ringPixels ? validRing / ringPixels : 0;
  if (validRing < ringPixels * 0.05) return { line: 0, parallel: 0, coverage };

  const ANGLES = 60; // 3-degree steps over [0, 180)
  const diag = Math.ceil(Math.hypot(n, n));
  const votes = new Float32Array(ANGLES * (2 * diag + 1));
  const cosT = new Float64Array(ANGLES);
  const sinT = new Float64Array(ANGLES);
  for (let a = 0; a < ANGLES; a++) {
    cosT[a] = Math.cos((a * Math.PI) / ANGLES);
    sinT[a] = Math.sin((a * Math.PI) / ANGLES);
  }
  // A Sobel magnitude of 80 is a step of ~20 grey levels: strong contrast, not skin texture.
  const EDGE = 80;
  for (let y = 1; y < n - 1; y++) {
    for (let x = 1; x < n - 1; x++) {
      if (!inRing(x, y)) continue;
      const i = y * n + x;
      if (!ring.valid[i - n - 1] || !ring.valid[i + n + 1] || !ring.valid[i - n + 1] || !ring.valid[i + n - 1]) continue;
      const gx = grey[i - n + 1] + 2 * grey[i + 1] + grey[i + n + 1] - grey[i - n - 1] - 2 * grey[i - 1] - grey[i + n - 1];
      const gy = grey[i + n - 1] + 2 * grey[i + n] + grey[i + n + 1] - grey[i - n - 1] - 2 * grey[i - n] - grey[i - n + 1];
      if (gx * gx + gy * gy < EDGE * EDGE) continue;
      // The line's normal is the gradient direction; vote near it only.
      let normal = Math.atan2(gy, gx);
      if (normal < 0) normal += Math.PI;
      const centre = Math.round((normal / Math.PI) * ANGLES);
      for (let d = -3; d <= 3; d++) {
        const a = (((centre + d) % ANGLES) + ANGLES) % ANGLES;
        const rho = Math.round(x * cosT[a] + y * sinT[a]);
        votes[a * (2 * diag + 1) + rho + diag] += 1;
      }
    }
  }
  let best = 0;
  let bestA = 0;
  let bestRho = 0;
  for (let a = 0; a < ANGLES; a++) {
    for (let r = 0; r <= 2 * diag; r++) {
      const v = votes[a * (2 * diag + 1) + r];
      if (v > best) {
        best = v;
        bestA = a;
        bestRho = r;
      }
    }
  }
  let parallel = 0;
  for (let d = -2; d <= 2; d++) {
    const a = (((bestA + d) % ANGLES) + ANGLES) % ANGLES;
    for (let r = 0; r <= 2 * diag; r++) {
      if (Math.abs(r - bestRho) < n / 4) continue;
      parallel = Math.max(parallel, votes[a * (2 * diag + 1) + r]);
    }
  }
  // Each of the 7 angle bins around the true one gets a vote per pixel, so 1 pixel ~ 1 vote on the best bin.
  return { line: Math.min(1, best / n), parallel: Math.min(1, parallel / n), coverage };
}

// ---------------------------------------------------------------- colour, glare, sharpness

/** The q-quantile (0-1) of values binned in a 256-bin histogram. */
function percentile(histogram: Uint32Array, total: number, q: number): number {
  const target = q * total;
  let seen = 0;
  for (let v = 0; v < histogram.length; v++) {
    seen += histogram[v];
    if (seen >= target) return v;
  }
  return histogram.length - 1;
}

/** Clamp the box to the frame; a box that misses the frame falls back to the whole frame. */
function clampBox(frame: RgbFrame, bbox: BBox): BBox {
  const x0 = Math.max(0, Math.min(frame.width - 1, bbox[0]));
  const y0 = Math.max(0, Math.min(frame.height - 1, bbox[1]));
  const x1 = Math.max(x0 + 1, Math.min(frame.width, bbox[0] + bbox[2]));
  const y1 = Math.max(y0 + 1, Math.min(frame.height, bbox[1] + bbox[3]));
  if (!(x1 - x0 >= 2 && y1 - y0 >= 2)) return [0, 0, frame.width, frame.height];
  return [x0, y0, x1 - x0, y1 - y0];
}

/**
 * Physical PAD cues for one face: name -> number (see PAD_CUE_DOCS). Every cue by default; with `wanted`, the cheap
 * face statistics plus only the costly groups (spectral, halftone, border) that hold a wanted cue.
 */
export function computePadCues(frame: RgbFrame, bbox: BBox, wanted?: ReadonlySet<string>): Record<string, number> {
  const needs = (group: string[]): boolean => !wanted || group.some((name) => wanted.has(name));
  if (frame.data.length < frame.width * frame.height * 3 || frame.width < 2 || frame.height < 2) {
    throw new RangeError('computePadCues: frame data is smaller than width x height x 3');
  }
  const box = clampBox(frame, bbox);
  // The inner 80% of the box: skin and features, little hair or background.
  const face = sampleRegion(frame, box[0] + box[2] * 0.1, box[1] + box[3] * 0.1, box[2] * 0.8, box[3] * 0.8, FACE_N, FACE_N);
  const grey = toGrey(face);
  const n = FACE_N;
  const count = n * n;

  // Spectral cues at native resolution (a centre patch of up to 128 px, never downsampled): moiré lives near the
  // pixel pitch and any averaging would erase it.
  const cues: Record<string, number> = {};
  const spectral = needs(SPECTRAL_CUES);
  const halftoneWanted = needs(HALFTONE_CUES);
  if (spectral || halftoneWanted) {
    const side = Math.min(PATCH_N, box[2] * 0.6, box[3] * 0.6);
    const patchPlanes = sampleRegion(frame, box[0] + box[2] / 2 - side / 2, box[1] + box[3] * 0.45 - side / 2, side, side, PATCH_N, PATCH_N);
    if (spectral) {
      const patch = toGrey(patchPlanes);
      const spec = spectrumStats(powerSpectrum2d(patch, PATCH_N), PATCH_N, 0.2, 1.0);
      cues.moire_peaks = spec.peakFraction;
      cues.hf_ratio = spec.hfRatio;
      cues.spectral_slope = spec.slope;
      cues.banding = bandingScore(patch, PATCH_N);
    }
    if (halftoneWanted) {
      // Halftone: chroma planes at half resolution (prints' colour screens beat at mid-high frequencies).
      const chroma = halve(patchPlanes);
      const cb = new Float32Array(CHROMA_N * CHROMA_N);
      const cr = new Float32Array(CHROMA_N * CHROMA_N);
      for (let i = 0; i < cb.length; i++) {
        cb[i] = 128 - 0.168736 * chroma.r[i] - 0.331264 * chroma.g[i] + 0.5 * chroma.b[i];
        cr[i] = 128 + 0.5 * chroma.r[i] - 0.418688 * chroma.g[i] - 0.081312 * chroma.b[i];
      }
      const [cbPower, crPower] = pairedPowerSpectra(cb, cr, CHROMA_N);
      cues.halftone = (spectrumStats(cbPower, CHROMA_N, 0.3, 1.0).peakFraction + spectrumStats(crPower, CHROMA_N, 0.3, 1.0).peakFraction) / 2;
    }
  }
  if (needs(BORDER_CUES)) {
    const border = borderStats(frame, box);
    cues.border_line = border.line;
    cues.border_parallel = border.parallel;
    cues.ring_coverage = border.coverage;
  }

  // Colour statistics, glare, luminance distribution.
  let sumCb = 0;
  let sumCr = 0;
  let sumCb2 = 0;
  let sumCr2 = 0;
  let sumSat = 0;
  let sumY = 0;
  let sumY2 = 0;
  const glare = new Uint8Array(count);
  let glareCount = 0;
  for (let i = 0; i < count; i++) {
    const r = face.r[i];
    const g = face.g[i];
    const b = face.b[i];
    const cbv = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b;
    const crv = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b;
    sumCb += cbv;
    sumCr += crv;
    sumCb2 += cbv * cbv;
    sumCr2 += crv * crv;
    const max = Math.max(r, g, b);
    const min = Math.min(r, g, b);
    sumSat += max > 0 ? (max - min) / max : 0;
    sumY += grey[i];
    sumY2 += grey[i] * grey[i];
    if (min > 235 && max - min < 30) {
      glare[i] = 1;
      glareCount++;
    }
  }
  const meanCb = sumCb / count;
  const meanCr = sumCr / count;
  const chromaSpread = Math.sqrt(Math.max(0, sumCb2 / count - meanCb * meanCb + sumCr2 / count - meanCr * meanCr));
  const meanY = sumY / count;
  const varY = Math.max(0, sumY2 / count - meanY * meanY);
  let glareClustered = 0;
  for (let y = 1; y < n - 1; y++) {
    for (let x = 1; x < n - 1; x++) {
      const i = y * n + x;
      if (glare[i] && glare[i - 1] && glare[i + 1] && glare[i - n] && glare[i + n]) glareClustered++;
    }
  }

  // Laplacian and 3x3 local contrast over the interior.
  let lapSum = 0;
  let lapSum2 = 0;
  let lapSum4 = 0;
  let localSum = 0;
  let inner = 0;
  const laps = new Float64Array((n - 2) * (n - 2));
  for (let y = 1; y < n - 1; y++) {
    for (let x = 1; x < n - 1; x++) {
      const i = y * n + x;
      const lap = grey[i - 1] + grey[i + 1] + grey[i - n] + grey[i + n] - 4 * grey[i];
      laps[inner++] = lap;
      lapSum += lap;
      const box9 =
        grey[i - n - 1] + grey[i - n] + grey[i - n + 1] + grey[i - 1] + grey[i] + grey[i + 1] + grey[i + n - 1] + grey[i + n] + grey[i + n + 1];
      localSum += Math.abs(grey[i] - box9 / 9);
    }
  }
  const lapMean = lapSum / inner;
  for (let k = 0; k < inner; k++) {
    const d = (laps[k] - lapMean) ** 2;
    lapSum2 += d;
    lapSum4 += d * d;
  }
  const lapVar = lapSum2 / inner;
  const lapKurtosis = lapVar > 0 ? lapSum4 / inner / (lapVar * lapVar) : 0;

  const histogram = new Uint32Array(256);
  for (let i = 0; i < count; i++) histogram[Math.min(255, Math.max(0, Math.round(grey[i])))]++;

  return {
    ...cues,
    glare_frac: glareCount / count,
    glare_cluster: glareCount ? glareClustered / glareCount : 0,
    lap_var: Math.log10((lapVar + 1e-6) / (varY + 1)),
    lap_kurtosis: Math.log10(Math.max(1e-6, lapKurtosis)),
    chroma_spread: chromaSpread,
    saturation: sumSat / count,
    skin_chroma_dist: Math.hypot(meanCb - 102, meanCr - 153),
    dynamic_range: (percentile(histogram, count, 0.98) - percentile(histogram, count, 0.02)) / 255,
    local_contrast: localSum / inner / (meanY + 1),
  };
}
