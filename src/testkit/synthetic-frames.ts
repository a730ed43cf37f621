// Synthetic FrameAnalysis streams for the session tests: a performer that does (or fails to do) what the session asks.
import type { FaceAnalysis, FaceRegion, FrameAnalysis } from '../shared/analysis';
import type { Challenge } from '../shared/catalogue';
import type { FlashSequence } from '../shared/result';
import { FLASH_REST_RGB, flashStepAt, srgbToLinear } from '../liveness/flash';
import type { LivenessSession, SessionUpdate } from '../liveness/types';
import { gaussianSource, headLandmarks, photoLandmarks } from './synthetic-face';

export interface FacePose {
  yaw: number;
  pitch: number;
  eyes: number;
  smile: number;
}

export const NEUTRAL: FacePose = { yaw: 2, pitch: -1, eyes: 0.9, smile: 0.1 };

export interface FrameOptions {
  faces?: number;
  luminance?: number;
  pad?: number;
  /** Landmarks of a flat photo (tilted by the yaw) instead of a 3D head. */
  planar?: boolean;
  regions?: Record<FaceRegion, [number, number, number]>;
  noise?: () => number;
}

const GREY: [number, number, number] = [150, 120, 110];

export function makeFace(pose: FacePose, options: FrameOptions = {}): FaceAnalysis {
  const noise = options.noise ?? gaussianSource(1);
  const landmarks = options.planar
    ? photoLandmarks(pose.yaw * 1.2, pose.pitch, 0, { noisePx: 0.6, noise })
    : headLandmarks(pose.yaw, pose.pitch, { noisePx: 0.6, noise });
  const luminance = options.luminance ?? 55;
  return {
    bbox: [200, 120, 240, 280],
    confidence: 0.98,
    landmarks,
    pose: { yaw: pose.yaw, pitch: pose.pitch, roll: 0 },
    eyes: { left: pose.eyes, right: pose.eyes },
    smile: pose.smile,
    mouthOpen: 0.05,
    quality: { luminance, sharpness: 70, faceSize: 0.38, centering: 0.95, occlusion: 0.02, score: 80 },
    pad: { score: options.pad ?? 90, components: {} },
    regions: options.regions ?? { forehead: GREY, left_cheek: GREY, right_cheek: GREY, nose: GREY, chin: GREY, background: [90, 90, 90] },
  };
}

export function makeFrame(timestampMs: number, pose: FacePose | null, options: FrameOptions = {}): FrameAnalysis {
  const faces: FaceAnalysis[] = [];
  if (pose) {
    faces.push(makeFace(pose, options));
    for (let i = 1; i < (options.faces ?? 1); i++) {
      const other = makeFace(NEUTRAL, options);
      other.bbox = [20, 40, 200, 230];
      faces.push(other);
    }
  }
  return { width: 640, height: 480, timestampMs, frameLuminance: 50, faces, timings: {} };
}

/** How a performer moves, frame by frame, while a challenge is asked (t = ms since it was first asked). */
export function perform(challenge: Challenge, t: number): FacePose {
  const phase = Math.min(1, t / 900);
  const bump = Math.sin(Math.PI * phase);
  switch (challenge) {
    case 'head_left':
      return { ...NEUTRAL, yaw: NEUTRAL.yaw + 30 * bump };
    case 'head_right':
      return { ...NEUTRAL, yaw: NEUTRAL.yaw - 30 * bump };
    case 'blink':
      return { ...NEUTRAL, eyes: t > 200 && t < 400 ? 0.1 : NEUTRAL.eyes };
    case 'smile':
      return { ...NEUTRAL, smile: t > 200 ? 0.75 : NEUTRAL.smile };
  }
}

/** Reflection of the emitted colour on a face region: ambient + gain * screen light (a 3D face: gains differ). */
export function reflectedRegions(
  emitted: readonly number[],
  gains: Record<Exclude<FaceRegion, 'background'>, number>,
  backgroundGain: number,
  noise: () => number,
  noiseLevel = 0.4,
  /** Per-region skin colour (linear albedo); default one skin colour everywhere. */
  albedos: Partial<Record<FaceRegion, number[]>> = {},
): Record<FaceRegion, [number, number, number]> {
  const skin = [0.62, 0.45, 0.38];
  const ambient = 0.35;
  const light = emitted.map((c) => srgbToLinear(c));
  const encode = (v: number): number => {
    const x = Math.min(1, Math.max(0, v));
    const s = x <= 0.0031308 ? 12.92 * x : 1.055 * x ** (1 / 2.4) - 0.055;
    return Math.min(255, Math.max(0, s * 255 + noiseLevel * noise()));
  };
  const region = (gain: number, alb: number[]): [number, number, number] =>
    [0, 1, 2].map((ch) => encode(alb[ch] * (ambient + gain * light[ch]))) as [number, number, number];
  return {
    forehead: region(gains.forehead, albedos.forehead ?? skin),
    left_cheek: region(gains.left_cheek, albedos.left_cheek ?? skin),
    right_cheek: region(gains.right_cheek, albedos.right_cheek ?? skin),
    nose: region(gains.nose, albedos.nose ?? skin),
    chin: region(gains.chin, albedos.chin ?? skin),
    background: region(backgroundGain, albedos.background ?? [0.4, 0.4, 0.4]),
  };
}

export const GAINS_3D = { forehead: 0.55, left_cheek: 0.25, right_cheek: 0.28, nose: 0.7, chin: 0.4 };
export const GAINS_FLAT = { forehead: 0.45, left_cheek: 0.45, right_cheek: 0.45, nose: 0.45, chin: 0.45 };
export const GAINS_NONE = { forehead: 0, left_cheek: 0, right_cheek: 0, nose: 0, chin: 0 };

export function emittedAt(sequence: FlashSequence, elapsedMs: number): readonly number[] {
  const i = flashStepAt(sequence, elapsedMs);
  return i < 0 || i >= sequence.steps.length ? FLASH_REST_RGB : sequence.steps[i].rgb;
}

export interface DriveOptions {
  /** What the performer does when asked a challenge (default: exactly that). */
  respond?: (asked: Challenge, index: number) => Challenge | null;
  /** The flash reflection gains (default 3D). */
  gains?: Record<Exclude<FaceRegion, 'background'>, number>;
  /** Colours the face is lit by instead of the session's sequence (a replay of another sequence). */
  litBy?: FlashSequence;
  /** Reflection lag, ms. */
  lagMs?: number;
  frameMs?: number;
  maxMs?: number;
  pad?: number;
  planar?: boolean;
  /** Frames with no face / several faces instead of the performer. */
  frameFor?: (t: number) => FrameAnalysis | undefined;
}

/** Drive a session to its done phase with a performer that answers each prompt. Returns the updates. */
export function drive(session: LivenessSession, options: DriveOptions = {}): SessionUpdate[] {
  const frameMs = options.frameMs ?? 33;
  const noise = gaussianSource(42);
  const updates: SessionUpdate[] = [];
  let askedSince = 0;
  let asked: Challenge | undefined;
  let challengeNumber = -1;
  let flashStart: number | null = null;
  const plan = session.plan;
  for (let t = 1000; t < 1000 + (options.maxMs ?? 120_000); t += frameMs) {
    const last = updates[updates.length - 1];
    if (last?.done) break;
    const custom = options.frameFor?.(t);
    if (custom) {
      updates.push(session.pushFrame(custom));
      continue;
    }
    let pose: FacePose = NEUTRAL;
    if (last?.phase === 'challenge' && last.currentChallenge) {
      if (last.currentChallenge !== asked || last.challengeIndex !== challengeNumber) {
        asked = last.currentChallenge;
        challengeNumber = last.challengeIndex;
        askedSince = t;
      }
      const action = options.respond ? options.respond(asked, challengeNumber) : asked;
      if (action) pose = perform(action, t - askedSince);
    }
    let regions: Record<FaceRegion, [number, number, number]> | undefined;
    if (last?.phase === 'flash' && plan.flash) {
      flashStart ??= t;
      const source = options.litBy ?? plan.flash;
      regions = reflectedRegions(emittedAt(source, t - flashStart - (options.lagMs ?? 90)), options.gains ?? GAINS_3D, 0.05, noise);
    }
    updates.push(session.pushFrame(makeFrame(t, pose, { regions, pad: options.pad, planar: options.planar, noise })));
  }
  return updates;
}
