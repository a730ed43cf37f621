// Flash liveness: the random colour sequence, its photosensitive-safety check, and the analysis of the face's reflection.
// PURE.
//
// Photosensitive safety (WCAG 2.3.1 "Three Flashes or Below Threshold"), by construction:
//  1. Every colour the generator emits, and the rest colour the UI shows before and after the sequence
//     (FLASH_REST_RGB), has a relative luminance inside [FLASH_LUMINANCE_MIN, FLASH_LUMINANCE_MAX], a band narrower
//     than WCAG's 10% change, so no transition is a "general flash" transition at all: the sequence changes hue, not
//     brightness.
//  2. No colour is a saturated red: R/(R+G+B) (linear) stays below FLASH_MAX_RED_RATIO (0.6 < WCAG's 0.8), so no
//     transition can be part of a "red flash".
//  3. Every colour stays up for at least FLASH_MIN_STEP_MS (400 ms), so even if 1 and 2 failed there could be at most
//     3 transitions (1.5 flashes) in any one-second window, under the limit of 3 flashes.
// checkPhotosensitiveSafety() re-checks any sequence (generated or loaded from a file) against WCAG's definitions
// directly, and the unit tests run it over thousands of generated sequences.
import type { FaceRegion } from '../shared/analysis';
import { CodedError } from '../shared/errors';
import type { FlashSequence, FlashStep } from '../shared/result';
import { DEFAULT_FLASH_TUNING, type FlashTuning } from '../shared/tunables';
import { randomHex, randomInt, seededRandom } from './random';
import type { RandomSource } from './types';
import { clamp01, mean } from '../shared/stats';

export type Rgb = [number, number, number];

export const FLASH_LUMINANCE_MIN = 0.28;
export const FLASH_LUMINANCE_MAX = 0.36;
export const FLASH_MAX_RED_RATIO = 0.6;
export const FLASH_MIN_STEP_MS = 400;
export const FLASH_MAX_STEP_MS = 700;
export const FLASH_DEFAULT_STEPS = 8;
/** Neutral grey inside the luminance band: the UI shows it just before and after the sequence. */
export const FLASH_REST_RGB: Rgb = [155, 155, 155];
/** Reflections reach the camera after the display and capture latency; the analysis searches this range. */
export const FLASH_MAX_LAG_MS = 300;

/** sRGB 0-255 to linear 0-1 (IEC 61966-2-1). */
export function srgbToLinear(c: number): number {
  const v = Math.min(255, Math.max(0, c)) / 255;
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
}

function linear(rgb: readonly number[]): Rgb {
  return [srgbToLinear(rgb[0]), srgbToLinear(rgb[1]), srgbToLinear(rgb[2])];
}

/** WCAG relative luminance 0-1. */
export function relativeLuminance(rgb: readonly number[]): number {
  const [r, g, b] = linear(rgb);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG red measure: R/(R+G+B) on linear values. */
export function redRatio(rgb: readonly number[]): number {
  const [r, g, b] = linear(rgb);
  const sum = r + g + b;
  return sum > 0 ? r / sum : 0;
}

/** Linear chromaticity (r, g, b fractions summing to 1); grey for black. */
export function chromaticity(rgb: readonly number[]): Rgb {
  const [r, g, b] = linear(rgb);
  const sum = r + g + b;
  return sum > 1e-9 ? [r / sum, g / sum, b / sum] : [1 / 3, 1 / 3, 1 / 3];
}

function chromaDistance(a: readonly number[], b: readonly number[]): number {
  const ca = chromaticity(a);
  const cb = chromaticity(b);
  return Math.hypot(ca[0] - cb[0], ca[1] - cb[1], ca[2] - cb[2]);
}

export interface FlashOptions {
  /** Number of colours (default 8). */
  steps?: number;
  /** Use this seed instead of drawing one (replays and tests). */
  seed?: string;
}

/** Minimum chromaticity distance between consecutive colours, so each change is visible in the reflection. */
const MIN_STEP_CHROMA_DISTANCE = 0.18;
/** Minimum spread of linear channels, so colours are clearly tinted. */
const MIN_CHANNEL_SPREAD = 0.3;

function drawColour(stream: RandomSource, previous: Rgb): Rgb {
  for (let tries = 0; tries < 100_000; tries++) {
    const rgb: Rgb = [randomInt(stream, 256), randomInt(stream, 256), randomInt(stream, 256)];
    const lum = relativeLuminance(rgb);
    if (lum < FLASH_LUMINANCE_MIN || lum > FLASH_LUMINANCE_MAX) continue;
    if (redRatio(rgb) >= FLASH_MAX_RED_RATIO) continue;
    const lin = linear(rgb);
    if (Math.max(...lin) - Math.min(...lin) < MIN_CHANNEL_SPREAD) continue;
    if (chromaDistance(rgb, previous) < MIN_STEP_CHROMA_DISTANCE) continue;
    return rgb;
  }
  throw new CodedError('INTERNAL', 'Could not draw a safe flash colour.');
}

/**
 * A random colour sequence. The seed comes from `random` (the CSPRNG); colours and durations are a deterministic
 * function of the seed (ChaCha20 stream), so a recorded seed regenerates the sequence exactly.
 */
export function generateFlashSequence(random: RandomSource, options: FlashOptions = {}): FlashSequence {
  const count = options.steps ?? FLASH_DEFAULT_STEPS;
  if (!Number.isInteger(count) || count < 2 || count > 64)
    throw new CodedError('INVALID_ARGUMENT', 'A flash sequence needs 2 to 64 steps.');
  const seed = options.seed ?? randomHex(random, 16);
  const stream = seededRandom(`flash-sequence:${seed}`);
  const steps: FlashStep[] = [];
  let previous: Rgb = FLASH_REST_RGB;
  for (let i = 0; i < count; i++) {
    const rgb = drawColour(stream, previous);
    steps.push({ rgb, durationMs: FLASH_MIN_STEP_MS + randomInt(stream, FLASH_MAX_STEP_MS - FLASH_MIN_STEP_MS + 1) });
    previous = rgb;
  }
  return { seed, steps };
}

export function flashDurationMs(sequence: FlashSequence): number {
  return sequence.steps.reduce((sum, step) => sum + step.durationMs, 0);
}

/** Index of the step shown at `elapsedMs` after the start, -1 before it, steps.length after the end. */
export function flashStepAt(sequence: FlashSequence, elapsedMs: number): number {
  if (elapsedMs < 0) return -1;
  let end = 0;
  for (let i = 0; i < sequence.steps.length; i++) {
    end += sequence.steps[i].durationMs;
    if (elapsedMs < end) return i;
  }
  return sequence.steps.length;
}

// ---------------------------------------------------------------------------------------------------------------
// WCAG 2.3.1 checker

export interface SafetyReport {
  safe: boolean;
  /** Most general flashes (pairs of opposing >= 10% luminance changes, darker < 0.80) in any one-second window. */
  maxGeneralFlashesPerSecond: number;
  /** Most red flashes in any one-second window. */
  maxRedFlashesPerSecond: number;
  /** Colours that are saturated red (R/(R+G+B) >= 0.8). */
  saturatedRedSteps: number[];
  /** Shortest step, ms. */
  minStepMs: number;
  violations: string[];
}

interface Change {
  timeMs: number;
  from: number;
  to: number;
  /** Indices of the colours the (merged) change runs through. */
  firstIndex: number;
  lastIndex: number;
}

/**
 * Merge successive same-direction changes of a measure into one change (a slow ramp is one change), keep the
 * changes that qualify, and return their times.
 */
function qualifyingChanges(times: number[], values: number[], qualifies: (c: Change) => boolean): number[] {
  const merged: Change[] = [];
  for (let i = 1; i < values.length; i++) {
    const delta = values[i] - values[i - 1];
    if (delta === 0) continue;
    const last = merged[merged.length - 1];
    if (last && Math.sign(last.to - last.from) === Math.sign(delta) && last.to === values[i - 1]) {
      last.to = values[i];
      last.timeMs = times[i];
      last.lastIndex = i;
    } else {
      merged.push({ timeMs: times[i], from: values[i - 1], to: values[i], firstIndex: i - 1, lastIndex: i });
    }
  }
  return merged.filter(qualifies).map((c) => c.timeMs);
}

/** Most flashes (qualifying changes / 2) inside any one-second window. */
function maxFlashesPerSecond(changeTimes: number[]): number {
  let best = 0;
  for (let i = 0; i < changeTimes.length; i++) {
    let n = 0;
    for (let j = i; j < changeTimes.length && changeTimes[j] - changeTimes[i] < 1000; j++) n++;
    best = Math.max(best, n / 2);
  }
  return best;
}

/** Check a sequence (with the rest colour before and after it) against WCAG 2.3.1's general and red flash thresholds. */
export function checkPhotosensitiveSafety(sequence: FlashSequence, restRgb: Rgb = FLASH_REST_RGB): SafetyReport {
  const colours: number[][] = [restRgb, ...sequence.steps.map((s) => s.rgb), restRgb];
  const times: number[] = [0];
  let t = 0;
  for (const step of sequence.steps) {
    times.push(t);
    t += step.durationMs;
  }
  times.push(t);
  const luminance = colours.map((c) => relativeLuminance(c));
  const general = qualifyingChanges(times, luminance, (c) => Math.abs(c.to - c.from) >= 0.1 && Math.min(c.to, c.from) < 0.8);
  // Red: (R-G-B)*320 on linear values, negatives clipped to 0; a transition involving a saturated red changing > 20.
  const redValue = colours.map((c) => {
    const [r, g, b] = linear(c);
    return Math.max(0, (r - g - b) * 320);
  });
  const saturated = colours.map((c) => redRatio(c) >= 0.8);
  // A red change only counts when a saturated red takes part in it.
  const redInvolving = qualifyingChanges(
    times,
    redValue,
    (c) => Math.abs(c.to - c.from) > 20 && saturated.slice(c.firstIndex, c.lastIndex + 1).some(Boolean),
  );
  const maxGeneral = maxFlashesPerSecond(general);
  const maxRed = maxFlashesPerSecond(redInvolving);
  const saturatedRedSteps = sequence.steps.map((s, i) => (redRatio(s.rgb) >= 0.8 ? i : -1)).filter((i) => i >= 0);
  const minStepMs = Math.min(...sequence.steps.map((s) => s.durationMs));
  const violations: string[] = [];
  if (maxGeneral > 3) violations.push(`${maxGeneral} general flashes in one second (limit 3)`);
  if (maxRed > 3) violations.push(`${maxRed} red flashes in one second (limit 3)`);
  return {
    safe: violations.length === 0,
    maxGeneralFlashesPerSecond: maxGeneral,
    maxRedFlashesPerSecond: maxRed,
    saturatedRedSteps,
    minStepMs,
    violations,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Reflection analysis
//
// Physics: a diffuse surface point reflects  C = albedo * (ambient + E * k),  where E is the linear colour the screen
// emits and k = screen irradiance * cos(angle between the surface normal and the direction to the screen), with
// inverse-square falloff. In log space  ln C = ln albedo + ln(ambient + E * k):  the albedo (skin colour, make-up,
// the printed ink) is a constant offset that the temporal centring removes, and what is left changes with E in
// proportion to k / ambient. Subtracting the background's log colour also cancels the camera's exposure and white
// balance drift (a common factor on every pixel). So each region's gain on the emitted colour measures how much of
// the screen's light that surface catches: the SAME for every region of a flat print (one normal), DIFFERENT across a
// face (forehead up, nose forward, cheeks turned sideways, chin down toward the screen). A screen that emits its own
// image catches almost nothing (only its glass reflects), so its gain is near the background's.

export const FACE_RESPONSE_REGIONS = ['forehead', 'left_cheek', 'right_cheek', 'nose', 'chin'] as const satisfies readonly FaceRegion[];

/** Nominal layout of FACE_RESPONSE_REGIONS in the face (x across, y down), for the planar-gradient fit. */
const REGION_LAYOUT: readonly (readonly [number, number])[] = [
  [0, -1], // forehead
  [-1, 0], // left cheek
  [1, 0], // right cheek
  [0, 0], // nose
  [0, 1], // chin
];

export interface FlashFrame {
  timestampMs: number;
  regions: Record<FaceRegion, readonly number[]>;
}

export type FlashVerdict = 'live' | 'weak' | 'flat' | 'no_response' | 'mismatch' | 'insufficient';

export interface RegionResponse {
  /** Correlation of the region's log colour (minus the background's) with the emitted linear colour. */
  correlation: number;
  /** Mean over channels of the regression gain of that log colour on the emitted colour (~ k / ambient). */
  gain: number;
  /** The region's gain relative to the face's mean gain (1 = average; channel-weighted). */
  relativeGain: number;
  /** RMS of the log-colour change the sequence explains (log units; 0.1 ~ a 10% change). */
  amplitude: number;
}

export interface FlashAnalysis {
  score: number;
  verdict: FlashVerdict;
  /** High-confidence attack (flat print lit uniformly, or a face following another sequence). */
  attack: boolean;
  lagMs: number;
  meanCorrelation: number;
  /** Mean explained log-colour change over the regions, against the background (log units). */
  meanAmplitude: number;
  /** RMS log-colour change of the face's own regions explained by the sequence (log units), background not taken off. */
  absoluteAmplitude: number;
  /** Temporal standard deviation of the face's slowly varying log-colour change (noise removed), whatever drives it. */
  activity: number;
  /** Structured log-colour change the sequence does not explain (noise removed). */
  unexplained: number;
  /**
   * Spread of the albedo-free gain across face regions, (spread + 2.5 * curvature) / 2 of the relative gains (see the
   * analysis). A 3D face catches the light differently on each surface; a flat print nearly uniformly, up to a gradient.
   */
  spatialVariation: number;
  /** Fraction of the sequence's steps seen by at least one frame. */
  coverage: number;
  frames: number;
  regions: Partial<Record<FaceRegion, RegionResponse>>;
}

// Calibration constants (log-colour units), from src/shared/tunables.ts; exported so evaluation can report against them.
export const FLASH_MIN_FRAMES = DEFAULT_FLASH_TUNING.minFrames;
export const FLASH_MIN_COVERAGE = DEFAULT_FLASH_TUNING.minCoverage;
/** Below this explained change (log units) the face did not respond at all (a screen lighting itself). */
export const FLASH_NO_RESPONSE_ACTIVITY = DEFAULT_FLASH_TUNING.noResponseActivity;
/** An explained change this large counts fully. */
export const FLASH_FULL_AMPLITUDE = DEFAULT_FLASH_TUNING.fullAmplitude;
/** Spatial variation of a flat surface (geometry alone: the falloff and angle across a print near the screen)... */
export const FLASH_VARIATION_FLAT = DEFAULT_FLASH_TUNING.variationFlat;
/** ...and of a clearly 3D face. */
export const FLASH_VARIATION_3D = DEFAULT_FLASH_TUNING.variation3d;
/** Linear floor added before the log, so black or clipped pixels stay finite. */
const LOG_FLOOR = 2e-3;
/** Lag search step, ms (a third of a 30 fps frame interval). */
const LAG_STEP_MS = 10;
/** Weight that puts the curvature (2 of the 5 regions' degrees of freedom) on the spread's scale. */
const CURVATURE_WEIGHT = 2.5;

function emittedAt(sequence: FlashSequence, elapsedMs: number, restRgb: Rgb): Rgb {
  const i = flashStepAt(sequence, elapsedMs);
  return i < 0 || i >= sequence.steps.length ? restRgb : sequence.steps[i].rgb;
}

/** Centred channel-stacked vectors: each channel's mean removed, channels concatenated. */
function centredStack(perFrame: Rgb[]): number[] {
  const out: number[] = [];
  for (let ch = 0; ch < 3; ch++) {
    const m = mean(perFrame.map((v) => v[ch]));
    for (const v of perFrame) out.push(v[ch] - m);
  }
  return out;
}

function dot(a: number[], b: number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** ln(linear colour) per channel. */
function logLinear(rgb: readonly number[]): Rgb {
  const [r, g, b] = linear(rgb);
  return [Math.log(r + LOG_FLOOR), Math.log(g + LOG_FLOOR), Math.log(b + LOG_FLOOR)];
}

/** The frames that can see the sequence at some lag in the search range (time order), and the steps they cover. */
function framesInWindow(frames: readonly FlashFrame[], sequence: FlashSequence, startMs: number): { used: FlashFrame[]; coverage: number } {
  const total = flashDurationMs(sequence);
  const used = frames
    .filter((f) => f.timestampMs >= startMs && f.timestampMs <= startMs + total + FLASH_MAX_LAG_MS)
    .sort((a, b) => a.timestampMs - b.timestampMs);
  const seenSteps = new Set(
    used.map((f) => flashStepAt(sequence, f.timestampMs - startMs)).filter((i) => i >= 0 && i < sequence.steps.length),
  );
  return { used, coverage: seenSteps.size / sequence.steps.length };
}

/**
 * Per face region, centred channel-stacked log colours: `reflected` = ln(region) - ln(background) (the background
 * cancels the camera's exposure and white-balance drift), `absolute` = the region's own log colour, whose gain measures
 * the light it catches in absolute terms (a large print's own margin is its "background" and responds like the face).
 */
function regionSignals(used: readonly FlashFrame[]): { reflected: Map<FaceRegion, number[]>; absolute: Map<FaceRegion, number[]> } {
  const reflected = new Map<FaceRegion, number[]>();
  const absolute = new Map<FaceRegion, number[]>();
  for (const region of FACE_RESPONSE_REGIONS) {
    const own = used.map((f) => logLinear(f.regions[region]));
    absolute.set(region, centredStack(own));
    reflected.set(
      region,
      centredStack(
        own.map((c, i) => {
          const bg = logLinear(used[i].regions.background);
          return [c[0] - bg[0], c[1] - bg[1], c[2] - bg[2]] as Rgb;
        }),
      ),
    );
  }
  return { reflected, absolute };
}

/** Structured (slowly varying) change of an n-frame stack: white camera noise has var(diff) = 2 var, so var - var(diff)/2 ~ 0. */
function structuredChange(x: number[], n: number): number {
  let variance = 0;
  let diffVariance = 0;
  for (let ch = 0; ch < 3; ch++) {
    for (let i = 0; i < n; i++) {
      variance += x[ch * n + i] ** 2;
      if (i > 0) diffVariance += (x[ch * n + i] - x[ch * n + i - 1]) ** 2;
    }
  }
  return Math.sqrt(Math.max(0, variance / (3 * n) - diffVariance / (3 * (n - 1)) / 2));
}

interface GainFit {
  fitted: number[];
  gains: number[];
}

/**
 * Per channel, the gain g = <s, e> / <e, e> (the log change per unit of emitted linear light; one gain per channel
 * because the ambient light differs per channel), and fitted = g * e.
 */
function fitGains(sig: number[], emitted: number[], n: number): GainFit {
  const fitted = new Array<number>(sig.length);
  const gains: number[] = [];
  for (let ch = 0; ch < 3; ch++) {
    let se = 0;
    let e2 = 0;
    for (let i = ch * n; i < (ch + 1) * n; i++) {
      se += sig[i] * emitted[i];
      e2 += emitted[i] * emitted[i];
    }
    const g = e2 > 1e-15 ? se / e2 : 0;
    gains.push(g);
    for (let i = ch * n; i < (ch + 1) * n; i++) fitted[i] = g * emitted[i];
  }
  return { fitted, gains };
}

/** Correlation of the reflected signal with the emitted one at one lag; a negative gain counts against. */
function signedCorrelation(sig: number[], { fitted, gains }: GainFit): number {
  const ss = dot(sig, sig);
  const ff = dot(fitted, fitted);
  if (ss <= 1e-18 || ff <= 1e-18) return 0;
  const r = dot(sig, fitted) / Math.sqrt(ss * ff);
  return mean(gains) >= 0 ? r : -r;
}

interface LagAlignment {
  lag: number;
  /** Mean |correlation| over the regions at that lag. */
  strength: number;
  /** Mean signed correlation over the regions at that lag. */
  correlation: number;
  /** The centred emitted linear colour at that lag. */
  emitted: number[];
}

/**
 * The lag (0-300 ms) where the sequence explains the face best either way (a face darker in the flash than its
 * background is aligned too, and then scores as no response rather than as an unexplained change); null when the
 * emitted colour never changes over the frames.
 */
function alignLag(
  used: readonly FlashFrame[],
  reflected: readonly number[][],
  sequence: FlashSequence,
  startMs: number,
  restRgb: Rgb,
): LagAlignment | null {
  const n = used.length;
  let best: LagAlignment | null = null;
  for (let lag = 0; lag <= FLASH_MAX_LAG_MS; lag += LAG_STEP_MS) {
    const emitted = centredStack(used.map((f) => linear(emittedAt(sequence, f.timestampMs - startMs - lag, restRgb))));
    if (dot(emitted, emitted) <= 1e-12) continue;
    const correlations = reflected.map((sig) => signedCorrelation(sig, fitGains(sig, emitted, n)));
    const strength = mean(correlations.map(Math.abs));
    if (!best || strength > best.strength) best = { lag, strength, correlation: mean(correlations), emitted };
  }
  return best;
}

interface SpatialResponse {
  /** (spread + 2.5 * curvature) / 2 of the channel-weighted relative gains. */
  spatialVariation: number;
  /** Each region's gain relative to the face's mean gain (FACE_RESPONSE_REGIONS order). */
  relative: number[];
  /** Mean gain over channels per region (FACE_RESPONSE_REGIONS order). */
  meanGain: number[];
  /** RMS log-colour change of the regions' own colour explained by the sequence. */
  absoluteAmplitude: number;
}

/**
 * Spatial variation on the absolute gains (each region's own log colour on the emitted light, ~ k / ambient per
 * channel), per channel relative to the channel's mean gain (the ambient light, which differs per channel, cancels):
 *  - spread: the coefficient of variation over the 5 regions;
 *  - curvature: the same after removing a planar gradient over the regions' layout. A flat print near the screen
 *    does show a gradient (falloff and angle change across it); only a curved surface (the nose forward, the cheeks
 *    turned away) leaves something after it.
 * Both averaged over channels weighted by the signal each carries. Per channel rather than on a channel average: skin
 * highlights add light by surface angle but not by albedo, so a 3D face varies differently per channel.
 */
function spatialResponse(absolute: ReadonlyMap<FaceRegion, number[]>, emitted: number[], n: number): SpatialResponse {
  const absoluteGains = FACE_RESPONSE_REGIONS.map((region) => fitGains(absolute.get(region)!, emitted, n).gains);
  const channelEnergy = [0, 1, 2].map((ch) => {
    let e2 = 0;
    for (let i = ch * n; i < (ch + 1) * n; i++) e2 += emitted[i] ** 2;
    return e2 / n;
  });
  const channelMeanGain = [0, 1, 2].map((ch) => mean(absoluteGains.map((g) => g[ch])));
  const weights = channelMeanGain.map((g, ch) => (g > 0 ? g * g * channelEnergy[ch] : 0));
  const weightSum = weights.reduce((a, b) => a + b, 0);
  const spreadOf = (ch: number, residual: (g: number, r: number) => number): number =>
    Math.sqrt(mean(absoluteGains.map((g, r) => residual(g[ch], r) ** 2))) / channelMeanGain[ch];
  let spread = 0;
  let curvature = 0;
  for (let ch = 0; ch < 3; ch++) {
    if (weights[ch] <= 0) continue;
    const m = channelMeanGain[ch];
    // Least-squares plane over the layout (the coordinates are centred and orthogonal, each with sum of squares 2).
    const slopeX = absoluteGains.reduce((acc, g, r) => acc + g[ch] * REGION_LAYOUT[r][0], 0) / 2;
    const slopeY = absoluteGains.reduce((acc, g, r) => acc + g[ch] * REGION_LAYOUT[r][1], 0) / 2;
    spread += weights[ch] * spreadOf(ch, (g) => g - m);
    curvature += weights[ch] * spreadOf(ch, (g, r) => g - m - slopeX * REGION_LAYOUT[r][0] - slopeY * REGION_LAYOUT[r][1]);
  }
  const spatialVariation = weightSum > 0 ? (spread + CURVATURE_WEIGHT * curvature) / weightSum / 2 : 0;
  const relative = absoluteGains.map((gains) =>
    weightSum > 0 ? gains.reduce((s, g, ch) => s + (weights[ch] > 0 ? (weights[ch] * g) / channelMeanGain[ch] : 0), 0) / weightSum : 0,
  );
  const absoluteAmplitude = Math.sqrt(mean(absoluteGains.map((g) => g.reduce((s, v, ch) => s + v * v * channelEnergy[ch], 0) / 3)));
  return { spatialVariation, relative, meanGain: absoluteGains.map(mean), absoluteAmplitude };
}

interface ExplainedChange {
  regions: Partial<Record<FaceRegion, RegionResponse>>;
  /** Mean explained change over the regions, against the background, counted only where it follows (log units). */
  meanAmplitude: number;
  /** Structured change the sequence does not explain, mean over regions. */
  unexplained: number;
  /** Change the sequence explains whatever its sign, mean over regions. */
  explained: number;
}

/** Per region: how well and how strongly the reflected signal follows the emitted colour at the chosen lag. */
function explainedChange(
  reflected: ReadonlyMap<FaceRegion, number[]>,
  emitted: number[],
  n: number,
  spatial: SpatialResponse,
): ExplainedChange {
  const regions: Partial<Record<FaceRegion, RegionResponse>> = {};
  const amplitudes: number[] = [];
  const unexplainedPerRegion: number[] = [];
  const explainedPerRegion: number[] = [];
  [...reflected].forEach(([region, sig], i) => {
    const gainFit = fitGains(sig, emitted, n);
    const correlation = signedCorrelation(sig, gainFit);
    const explainedRms = Math.sqrt(dot(gainFit.fitted, gainFit.fitted) / gainFit.fitted.length);
    const amplitude = Math.max(0, correlation) * explainedRms;
    regions[region] = { correlation, gain: spatial.meanGain[i], relativeGain: spatial.relative[i], amplitude };
    amplitudes.push(amplitude);
    unexplainedPerRegion.push(
      structuredChange(
        sig.map((v, k) => v - gainFit.fitted[k]),
        n,
      ),
    );
    explainedPerRegion.push(explainedRms);
  });
  return { regions, meanAmplitude: mean(amplitudes), unexplained: mean(unexplainedPerRegion), explained: mean(explainedPerRegion) };
}

interface FlashMeasures {
  meanCorrelation: number;
  meanAmplitude: number;
  absoluteAmplitude: number;
  spatialVariation: number;
  unexplained: number;
  explained: number;
}

/** score = 100 * min(follow, strength) * (0.35 + 0.65 * variation), each factor 0-1. */
function flashScore(m: FlashMeasures, tuning: Readonly<FlashTuning>): number {
  const follow = clamp01((m.meanCorrelation - tuning.followLow) / (tuning.followHigh - tuning.followLow));
  const strength = clamp01(m.meanAmplitude / tuning.fullAmplitude);
  const variation = clamp01((m.spatialVariation - tuning.variationFlat) / (tuning.variation3d - tuning.variationFlat));
  return Math.round(100 * Math.min(follow, strength) * (0.35 + 0.65 * variation));
}

/** The verdict and whether it is a high-confidence attack, from the measures and the score. */
function flashVerdict(m: FlashMeasures, score: number, tuning: Readonly<FlashTuning>): { verdict: FlashVerdict; attack: boolean } {
  if (m.unexplained >= 2 * tuning.noResponseActivity && m.unexplained >= m.explained) {
    // Strong colour changes that ignore the sequence chosen now: a replay of another sequence.
    return { verdict: 'mismatch', attack: m.meanCorrelation < 0.15 && m.unexplained >= 4 * tuning.noResponseActivity };
  }
  // The face changes no more than the background: a screen lighting itself, or too much ambient light.
  if (m.meanAmplitude < tuning.noResponseActivity) return { verdict: 'no_response', attack: false };
  if (m.spatialVariation < tuning.variationFlat && m.absoluteAmplitude >= tuning.fullAmplitude && m.meanCorrelation >= 0.5) {
    // Catches the screen's light strongly but uniformly everywhere: a flat surface lit by the screen.
    return { verdict: 'flat', attack: m.spatialVariation < tuning.variationFlat / 2 && m.meanCorrelation >= 0.6 };
  }
  return { verdict: score >= 50 ? 'live' : 'weak', attack: false };
}

/**
 * Score how the face's colour followed the emitted sequence: per region the log colour against the background's,
 * its lag-aligned correlation with the emitted linear colour (lag 0-300 ms), its strength, and the spread of the
 * albedo-free gain across regions (see the physics above).
 * score = 100 * min(follow, strength) * (0.35 + 0.65 * variation), each factor 0-1: a flat print that follows the
 * sequence tops out at 35, a screen that emits its own light or a replay of another sequence near 0.
 * Verdicts: 'mismatch' (structured colour change the sequence does not explain: attack when it clearly ignores the
 * sequence), 'no_response' (never an attack: could be strong ambient light), 'flat' (attack when very uniform and
 * strongly following), 'live' / 'weak' by score, 'insufficient' (< 8 frames or < 60% of the steps seen).
 * `tuning` defaults to src/shared/tunables.ts; `liveness calibrate` passes refit values.
 */
export function analyzeFlashResponse(
  frames: readonly FlashFrame[],
  sequence: FlashSequence,
  startMs: number,
  restRgb: Rgb = FLASH_REST_RGB,
  tuning: Readonly<FlashTuning> = DEFAULT_FLASH_TUNING,
): FlashAnalysis {
  const { used, coverage } = framesInWindow(frames, sequence, startMs);
  const empty: FlashAnalysis = {
    score: 0,
    verdict: 'insufficient',
    attack: false,
    lagMs: 0,
    meanCorrelation: 0,
    meanAmplitude: 0,
    absoluteAmplitude: 0,
    activity: 0,
    unexplained: 0,
    spatialVariation: 0,
    coverage,
    frames: used.length,
    regions: {},
  };
  if (used.length < tuning.minFrames || coverage < tuning.minCoverage) return empty;

  const n = used.length;
  const { reflected, absolute } = regionSignals(used);
  const activity = mean([...reflected.values()].map((x) => structuredChange(x, n)));
  const best = alignLag(used, [...reflected.values()], sequence, startMs, restRgb);
  if (!best) return empty;

  const spatial = spatialResponse(absolute, best.emitted, n);
  const change = explainedChange(reflected, best.emitted, n, spatial);
  const measures: FlashMeasures = {
    meanCorrelation: best.correlation,
    meanAmplitude: change.meanAmplitude,
    absoluteAmplitude: spatial.absoluteAmplitude,
    spatialVariation: spatial.spatialVariation,
    unexplained: change.unexplained,
    explained: change.explained,
  };
  const score = flashScore(measures, tuning);
  const { verdict, attack } = flashVerdict(measures, score, tuning);
  return {
    score,
    verdict,
    attack,
    lagMs: best.lag,
    meanCorrelation: measures.meanCorrelation,
    meanAmplitude: measures.meanAmplitude,
    absoluteAmplitude: measures.absoluteAmplitude,
    activity,
    unexplained: measures.unexplained,
    spatialVariation: measures.spatialVariation,
    coverage,
    frames: n,
    regions: change.regions,
  };
}
