// Temporal PAD cues over a clip or a camera stream, which a still cannot give: a blood-volume pulse in the skin that
// the background lacks (rPPG), and screen flicker. Frames are reduced to a few numbers as they arrive
// (temporalSample), so a caller keeps no frames; computeTemporalPadCues reads the whole sequence.
import type { BBox } from '../../../shared/analysis';
import type { RgbFrame } from '../api';
import { clampBox, sampleRegion } from './sampling';
import { fft1d } from './spectrum';

/** A frequency band, [low, high] in Hz. */
type Band = readonly [number, number];
/** Heart rates the pulse search accepts: 42-180 beats a minute. */
const PULSE_BAND: Band = [0.7, 3.0];
/** The pulse peak's own band is its bin +- this many Hz; the rest of NOISE_BAND counts as noise. */
const PULSE_HALF_WIDTH_HZ = 0.15;
const NOISE_BAND: Band = [0.5, 4.0];
/** Flicker is temporal energy above this frequency over the energy of slow motion and lighting below it. */
const FLICKER_SPLIT_HZ = 4.0;
/** Fewer seconds or frames than this give no temporal cues: two beats at the slowest pulse (42 a minute) take 2.9 s. */
export const TEMPORAL_MIN_SECONDS = 3;
export const TEMPORAL_MIN_FRAMES = 27;
/** The pulse and flicker bands need at least this frame rate (4 Hz under Nyquist with margin). */
export const TEMPORAL_MIN_FPS = 9;
/** The background ring spans these multiples of the face box (centred on it). */
const RING = { inner: 1.4, outer: 2.2 } as const;
/** The ring cues need a ring (mostly inside the frame) in at least this share of the frames. */
const MIN_RING_SHARE = 0.8;
/** Side the skin and ring regions are resampled to before averaging. */
const REGION_N = 24;

export const TEMPORAL_CUE_DOCS: Record<string, string> = {
  pulse_snr:
    'dB of the strongest 0.7-3 Hz component of the skin colour signal (CHROM combination of the cheeks-and-forehead mean RGB) over the rest of 0.5-4 Hz: a live face carries a heartbeat.',
  pulse_bg_snr:
    'The same measure on the background ring around the face (NaN when the face fills the frame): a screen or paper has no pulse of its own, but lighting flicker shows in both.',
  pulse_excess: 'pulse_snr minus pulse_bg_snr: a pulse in the skin that the background does not share (NaN without a ring).',
  face_bg_correlation:
    'Pearson correlation of the detrended face and background brightness: a held-up screen or print is lit like its surroundings and moves with the hand; NaN without a ring.',
  flicker:
    'log10 of the face brightness energy above 4 Hz over that between 0.2 and 4 Hz: screen refresh aliasing and backlight PWM beat against the camera.',
};

/** What one frame contributes to the temporal cues: a handful of means, no pixels. */
export interface TemporalSample {
  timestampMs: number;
  /** Mean R, G, B (0-255) of the skin region (inner face box). */
  skin: [number, number, number];
  /** Mean R, G, B of the background ring, or null when the ring is mostly outside the frame. */
  ring: [number, number, number] | null;
}

export interface TemporalPadCues {
  pulse_snr: number;
  pulse_bg_snr: number;
  pulse_excess: number;
  face_bg_correlation: number;
  flicker: number;
  /** Frames used, their span in seconds and the uniform rate they were resampled to. */
  frames: number;
  seconds: number;
  fps: number;
}

function meanRgb(frame: RgbFrame, x: number, y: number, w: number, h: number, ring: boolean): [number, number, number] | null {
  const p = sampleRegion(frame, x, y, w, h, REGION_N, REGION_N);
  const inner = (REGION_N * RING.inner) / RING.outer / 2;
  let r = 0;
  let g = 0;
  let b = 0;
  let n = 0;
  let slots = 0;
  for (let yy = 0; yy < REGION_N; yy++) {
    for (let xx = 0; xx < REGION_N; xx++) {
      if (ring && Math.abs(xx + 0.5 - REGION_N / 2) < inner && Math.abs(yy + 0.5 - REGION_N / 2) < inner) continue;
      slots++;
      const i = yy * REGION_N + xx;
      if (!p.valid[i]) continue;
      r += p.r[i];
      g += p.g[i];
      b += p.b[i];
      n++;
    }
  }
  // A ring with less than a third of it inside the frame says more about the crop than about the scene.
  if (n === 0 || n < slots / 3) return null;
  return [r / n, g / n, b / n];
}

/** Reduce one frame (with its face box) to the means the temporal cues need. */
export function temporalSample(frame: RgbFrame, bbox: BBox, timestampMs: number): TemporalSample {
  const [x, y, w, h] = clampBox(frame, bbox);
  // Cheeks and forehead: the middle 60% of the box width, from 15% to 75% of its height (eyes and mouth move).
  const skin = meanRgb(frame, x + w * 0.2, y + h * 0.15, w * 0.6, h * 0.6, false) ?? [0, 0, 0];
  const cx = x + w / 2;
  const cy = y + h / 2;
  const ring = meanRgb(frame, cx - (w * RING.outer) / 2, cy - (h * RING.outer) / 2, w * RING.outer, h * RING.outer, true);
  return { timestampMs, skin, ring };
}

/** Linear interpolation of (t, v) samples onto a uniform grid of `n` points from t0 at `dt` seconds. */
function resample(t: number[], v: number[], t0: number, dt: number, n: number): Float64Array {
  const out = new Float64Array(n);
  let j = 0;
  for (let k = 0; k < n; k++) {
    const tk = t0 + k * dt;
    while (j < t.length - 2 && t[j + 1] < tk) j++;
    const span = t[j + 1] - t[j];
    const a = span > 0 ? Math.min(1, Math.max(0, (tk - t[j]) / span)) : 0;
    out[k] = v[j] + a * (v[j + 1] - v[j]);
  }
  return out;
}

/** Remove the slow trend (a moving average over about a second) so only oscillations remain. */
function detrend(x: Float64Array, window: number): Float64Array {
  const out = new Float64Array(x.length);
  const half = Math.max(1, Math.floor(window / 2));
  for (let i = 0; i < x.length; i++) {
    let s = 0;
    let c = 0;
    for (let k = Math.max(0, i - half); k <= Math.min(x.length - 1, i + half); k++) {
      s += x[k];
      c++;
    }
    out[i] = x[i] - s / c;
  }
  return out;
}

/** One-sided power spectrum of a Hann-windowed real signal, zero-padded to a power of two; bin k is k * fps / size. */
function powerSpectrum(x: Float64Array, fps: number): { power: Float64Array; hzPerBin: number } {
  let size = 1;
  while (size < x.length * 4) size <<= 1;
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  for (let i = 0; i < x.length; i++) re[i] = x[i] * (0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / x.length));
  fft1d(re, im, size);
  const power = new Float64Array(size / 2 + 1);
  for (let k = 0; k <= size / 2; k++) power[k] = re[k] * re[k] + im[k] * im[k];
  return { power, hzPerBin: fps / size };
}

/** The spectrum bins [first, last] inside a band (last within the spectrum's `bins`). */
function binsOf([low, high]: Band, hzPerBin: number, bins: number): [number, number] {
  return [Math.ceil(low / hzPerBin), Math.min(bins - 1, Math.floor(high / hzPerBin))];
}

/** dB of the strongest pulse-band peak (+- its half width) over the rest of the noise band. */
function pulseSnr(signal: Float64Array, fps: number): number {
  const { power, hzPerBin } = powerSpectrum(signal, fps);
  let peakBin = -1;
  const [pulseFirst, pulseLast] = binsOf(PULSE_BAND, hzPerBin, power.length);
  for (let k = pulseFirst; k <= pulseLast; k++) {
    if (peakBin < 0 || power[k] > power[peakBin]) peakBin = k;
  }
  if (peakBin < 0) return Number.NaN;
  let inPeak = 0;
  let rest = 0;
  const [noiseFirst, noiseLast] = binsOf(NOISE_BAND, hzPerBin, power.length);
  for (let k = noiseFirst; k <= noiseLast; k++) {
    if (Math.abs(k - peakBin) * hzPerBin <= PULSE_HALF_WIDTH_HZ) inPeak += power[k];
    else rest += power[k];
  }
  return 10 * Math.log10((inPeak + 1e-12) / (rest + 1e-12));
}

/**
 * CHROM (de Haan and Jeanne, 2013): channels normalised by their mean, then a chrominance combination that cancels
 * the specular (white) component shared by all three, leaving the blood-volume signal.
 */
function chromSignal(rgb: Float64Array[], window: number): Float64Array {
  const [r, g, b] = rgb.map((c) => {
    const mean = c.reduce((a, v) => a + v, 0) / c.length || 1;
    return detrend(
      c.map((v) => v / mean),
      window,
    );
  });
  const x = r.map((v, i) => 3 * v - 2 * g[i]);
  const y = r.map((v, i) => 1.5 * v + g[i] - 1.5 * b[i]);
  const sd = (s: Float64Array) => Math.sqrt(s.reduce((a, v) => a + v * v, 0) / s.length);
  const alpha = sd(y) > 0 ? sd(x) / sd(y) : 0;
  return x.map((v, i) => v - alpha * y[i]);
}

function pearson(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

const luma = ([r, g, b]: [number, number, number]) => 0.299 * r + 0.587 * g + 0.114 * b;

/**
 * Temporal PAD cues of one face over a sequence of samples (see TEMPORAL_CUE_DOCS), or null when the sequence is
 * too short (TEMPORAL_MIN_SECONDS, TEMPORAL_MIN_FRAMES) or too slow (TEMPORAL_MIN_FPS) to hold a pulse.
 */
export function computeTemporalPadCues(samples: readonly TemporalSample[]): TemporalPadCues | null {
  const sorted = [...samples].sort((a, b) => a.timestampMs - b.timestampMs);
  if (sorted.length < TEMPORAL_MIN_FRAMES) return null;
  const t = sorted.map((s) => s.timestampMs / 1000);
  const seconds = t[t.length - 1] - t[0];
  // The rate is the median frame interval's: frames where the face was lost leave gaps that are interpolated over.
  const intervals = t
    .slice(1)
    .map((v, i) => v - t[i])
    .sort((a, b) => a - b);
  const fps = 1 / intervals[intervals.length >> 1];
  if (!(seconds >= TEMPORAL_MIN_SECONDS) || !(fps >= TEMPORAL_MIN_FPS)) return null;
  const n = Math.floor(seconds * fps) + 1;
  const dt = 1 / fps;
  const window = Math.round(fps);
  const channel = (pick: (s: TemporalSample) => number) => resample(t, sorted.map(pick), t[0], dt, n);
  const skin = [0, 1, 2].map((c) => channel((s) => s.skin[c]));
  const pulse = pulseSnr(chromSignal(skin, window), fps);
  const faceLuma = detrend(
    channel((s) => luma(s.skin)),
    window,
  );

  // Flicker: the face's brightness energy above FLICKER_SPLIT_HZ over that of the 0.2-4 Hz band.
  const { power, hzPerBin } = powerSpectrum(faceLuma, fps);
  let high = 0;
  let low = 0;
  for (let k = 1; k < power.length; k++) {
    const hz = k * hzPerBin;
    if (hz >= FLICKER_SPLIT_HZ) high += power[k];
    else if (hz >= 0.2) low += power[k];
  }
  const flicker = Math.log10((high + 1e-9) / (low + 1e-9));

  // The ring cues need a ring in most frames (a face near the edge loses it now and then); gaps are interpolated.
  const ringed = sorted.filter((s) => s.ring !== null);
  let bgSnr = Number.NaN;
  let correlation = Number.NaN;
  if (ringed.length >= sorted.length * MIN_RING_SHARE && ringed.length >= 2) {
    const tr = ringed.map((s) => s.timestampMs / 1000);
    const ringChannel = (pick: (rgb: [number, number, number]) => number) =>
      resample(
        tr,
        ringed.map((s) => pick(s.ring as [number, number, number])),
        t[0],
        dt,
        n,
      );
    const ring = [0, 1, 2].map((c) => ringChannel((rgb) => rgb[c]));
    bgSnr = pulseSnr(chromSignal(ring, window), fps);
    correlation = pearson(faceLuma, detrend(ringChannel(luma), window));
  }
  return {
    pulse_snr: pulse,
    pulse_bg_snr: bgSnr,
    pulse_excess: pulse - bgSnr,
    face_bg_correlation: correlation,
    flicker,
    frames: sorted.length,
    seconds,
    fps,
  };
}
