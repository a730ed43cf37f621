// Spectral primitives for the PAD cues: radix-2 FFT, windowed power spectra, peak/slope statistics, row banding.

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
  if (stride === 1) {
    fftContiguous(re, im, n, offset);
    return;
  }
  // Strided values (a column) are gathered first, so that the butterflies read and write adjacent memory.
  const line = lineBuffers(n);
  for (let k = 0; k < n; k++) {
    line.re[k] = re[offset + k * stride];
    line.im[k] = im[offset + k * stride];
  }
  fftContiguous(line.re, line.im, n, 0);
  for (let k = 0; k < n; k++) {
    re[offset + k * stride] = line.re[k];
    im[offset + k * stride] = line.im[k];
  }
}

/** The FFT of re/im[offset .. offset + n) in place (n a power of two, checked by the caller). */
function fftContiguous(re: Float64Array, im: Float64Array, n: number, offset: number): void {
  const { cos, sin, rev } = twiddles(n);
  for (let i = 0; i < n; i++) {
    const j = rev[i];
    if (j > i) {
      const a = offset + i;
      const b = offset + j;
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
    // An integer stride through the twiddle table.
    const step = (n / size) | 0;
    const end = offset + n;
    for (let start = offset; start < end; start += size) {
      // k = 0: the twiddle is 1, so the butterfly needs no multiplication (a quarter of them at n = 128).
      const b0 = start + half;
      const yr = re[b0];
      const yi = im[b0];
      re[b0] = re[start] - yr;
      im[b0] = im[start] - yi;
      re[start] += yr;
      im[start] += yi;
      for (let k = 1, t = step; k < half; k++, t += step) {
        const wr = cos[t];
        const wi = sin[t];
        const a = start + k;
        const b = a + half;
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

const lineCache = new Map<number, { re: Float64Array; im: Float64Array }>();

/** One line's work buffers per FFT size, reused: every caller fills them before it reads them, on one thread. */
function lineBuffers(n: number): { re: Float64Array; im: Float64Array } {
  let line = lineCache.get(n);
  if (!line) {
    line = { re: new Float64Array(n), im: new Float64Array(n) };
    lineCache.set(n, line);
  }
  return line;
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

/** The mean of an n x n plane, summed in index order (every windowing of a plane uses this one). */
function planeMean(pixels: Float32Array, n: number): number {
  let sum = 0;
  for (let i = 0; i < n * n; i++) sum += pixels[i];
  return sum / (n * n);
}

/** Copy an n x n plane into out with its mean removed and a 2-D Hann window applied (crop edges add no energy). */
function windowed(pixels: Float32Array, n: number, out: Float64Array): void {
  const mean = planeMean(pixels, n);
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
  // windowed()'s values, computed row pair by row pair as the FFT takes them (no n x n copy).
  const mean = planeMean(pixels, n);
  const window = hann(n);
  const { re: zr, im: zi } = lineBuffers(n);
  // The row spectra's columns 0..n/2 (the rest mirror them), stored column by column so that each column FFT runs
  // on adjacent memory in place.
  const cols = n / 2 + 1;
  const { re, im } = planeBuffers(n, cols);
  for (let y = 0; y < n; y += 2) {
    for (let x = 0; x < n; x++) {
      zr[x] = (pixels[y * n + x] - mean) * window[x] * window[y];
      zi[x] = (pixels[(y + 1) * n + x] - mean) * window[x] * window[y + 1];
    }
    fft1d(zr, zi, n);
    for (let k = 0; k < cols; k++) {
      const m = k === 0 ? 0 : n - k;
      re[k * n + y] = (zr[k] + zr[m]) / 2;
      im[k * n + y] = (zi[k] - zi[m]) / 2;
      re[k * n + y + 1] = (zi[k] + zi[m]) / 2;
      im[k * n + y + 1] = (zr[m] - zr[k]) / 2;
    }
  }
  const power = new Float64Array(n * n);
  for (let u = 0; u < cols; u++) {
    fft1d(re, im, n, u * n);
    const mirrorU = u === 0 ? 0 : n - u;
    for (let v = 0; v < n; v++) {
      const p = re[u * n + v] * re[u * n + v] + im[u * n + v] * im[u * n + v];
      power[v * n + u] = p;
      // A real image's spectrum is Hermitian: P(-u, -v) = P(u, v).
      power[(v === 0 ? 0 : n - v) * n + mirrorU] = p;
    }
  }
  return power;
}

const planeCache = new Map<string, { re: Float64Array; im: Float64Array }>();

/** Work planes of n x cols values, reused like lineBuffers. */
function planeBuffers(n: number, cols: number): { re: Float64Array; im: Float64Array } {
  const key = `${n}x${cols}`;
  let plane = planeCache.get(key);
  if (!plane) {
    plane = { re: new Float64Array(n * cols), im: new Float64Array(n * cols) };
    planeCache.set(key, plane);
  }
  return plane;
}

/** Power spectra of two real n x n images with one complex FFT (a in the real part, b in the imaginary part). */
export function pairedPowerSpectra(a: Float32Array, b: Float32Array, n: number): [Float64Array, Float64Array] {
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

export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = values.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
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
 * ring's median by `peakFactor`; the fraction of the band [rMin, rMax]'s power (radii over Nyquist) the peaks hold
 * above their ring medians.
 */
export function peakFraction(power: Float64Array, n: number, rMin: number, rMax: number, peakFactor = 8): number {
  const half = n / 2;
  const { ringOf, members } = ringsFor(n);
  const ringMedian = new Float64Array(members.length);
  const scratch = new Float64Array(Math.max(...members.map((m) => m.length)));
  for (let ring = 0; ring < members.length; ring++) {
    const idx = members[ring];
    if (idx.length === 0 || ring / half < rMin || ring / half > rMax) continue;
    const values = scratch.subarray(0, idx.length);
    for (let k = 0; k < idx.length; k++) values[k] = power[idx[k]];
    ringMedian[ring] = quickSelect(values, idx.length >> 1);
  }
  let bandPower = 0;
  let peakPower = 0;
  for (let v = 0; v < n; v++) {
    for (let u = 0; u < n; u++) {
      const i = v * n + u;
      const ring = ringOf[i];
      const r = ring / half;
      if (r < rMin || r > rMax) continue;
      const p = power[i];
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
  return bandPower > 0 ? peakPower / bandPower : 0;
}

/**
 * The spectrum's shape: hfRatio, log10 of the power above half Nyquist over that above 0.05 Nyquist; slope, the
 * least-squares slope of log mean ring power against log radius over 0.05-0.9 Nyquist, where faces carry texture.
 */
export function spectrumShape(power: Float64Array, n: number): { hfRatio: number; slope: number } {
  const half = n / 2;
  const { ringOf, members } = ringsFor(n);
  const ringMean = new Float64Array(members.length);
  for (let ring = 0; ring < members.length; ring++) {
    const idx = members[ring];
    if (idx.length === 0) continue;
    let sum = 0;
    for (let k = 0; k < idx.length; k++) sum += power[idx[k]];
    ringMean[ring] = sum / idx.length;
  }
  let hf = 0;
  let all = 0;
  for (let i = 0; i < n * n; i++) {
    const r = ringOf[i] / half;
    if (r >= 0.05 && r <= 1) {
      all += power[i];
      if (r >= 0.5) hf += power[i];
    }
  }
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
  return {
    hfRatio: Math.log10((hf + 1e-9) / (all + 1e-9)),
    slope: count > 2 ? (count * sxy - sx * sy) / (count * sxx - sx * sx) : 0,
  };
}

/** Strength of the most periodic component of the detrended row-mean profile (refresh banding). */
export function bandingScore(grey: Float32Array, n: number): number {
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
