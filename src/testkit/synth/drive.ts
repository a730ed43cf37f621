// Run a synthetic subject (genuine or attack) through the engine and a real liveness session, frame by frame,
// exactly as camera frames would go: render -> engine.analyzeFrame -> session.pushFrame -> (prompt, colour) -> render.
import type { Challenge } from '../../shared/catalogue';
import { parseLivenessConfig, type LivenessConfigInput } from '../../shared/config';
import type { FlashSequence, LivenessResult } from '../../shared/result';
import type { Engine, RgbFrame } from '../../node/engine/api';
import { FLASH_REST_RGB, flashStepAt } from '../../liveness/flash';
import { createLivenessSession } from '../../liveness/session';
import type { SessionUpdate } from '../../liveness/types';
import type { Vec3 } from './face-mesh';
import { renderContent, renderEmittingScreen, renderGenuine, renderPlanarPhoto } from './instruments';
import { Performer, scheduledChallengeAt } from './performer';
import { NEUTRAL_POSE, SyntheticScene, type SubjectPose, type SubjectTexture } from './scene';

export const SUBJECT_KINDS = ['genuine', 'planar_photo', 'replay', 'emitting_screen'] as const;
export type SubjectKind = (typeof SUBJECT_KINDS)[number];

export interface SyntheticFrame {
  frame: RgbFrame;
  timestampMs: number;
}

/** What the kiosk shows while a frame is exposed: the prompt and the screen's colour. */
export interface Stimulus {
  challenge: Challenge | null;
  screenRgb: Vec3;
}

/** The stimulus the kiosk UI shows after a session update (the next frame is exposed under it). */
export function stimulusAfter(update: SessionUpdate | null, flash: FlashSequence | null): Stimulus {
  const challenge = update?.phase === 'challenge' ? (update.currentChallenge ?? null) : null;
  const step = update?.phase === 'flash' && flash && update.flashStep !== undefined ? flash.steps[update.flashStep] : undefined;
  return { challenge, screenRgb: step ? ([...step.rgb] as Vec3) : ([...FLASH_REST_RGB] as Vec3) };
}

/**
 * A recording made in another session (its own challenge order and flash sequence), with the timeline it was
 * made on: 1 s of positioning, each challenge given `slotMs`, then the flash sequence. It cannot see the session
 * it is played into.
 */
export class Recording {
  private readonly performer: Performer;
  readonly flashStartMs: number;
  constructor(
    private readonly scene: SyntheticScene,
    private readonly subject: SubjectTexture,
    readonly challenges: readonly Challenge[],
    readonly flash: FlashSequence | null,
    seed: string,
    private readonly slotMs = 2400,
  ) {
    this.performer = new Performer(`recording:${seed}`, 'person', false);
    this.flashStartMs = 1000 + challenges.length * slotMs;
  }

  stimulusAt(timestampMs: number): Stimulus {
    const challenge = scheduledChallengeAt(this.challenges, 1000, this.slotMs, timestampMs);
    const step = this.flash ? flashStepAt(this.flash, timestampMs - this.flashStartMs) : -1;
    const rgb = this.flash && step >= 0 && step < this.flash.steps.length ? this.flash.steps[step].rgb : FLASH_REST_RGB;
    return { challenge, screenRgb: [...rgb] as Vec3 };
  }

  poseAt(timestampMs: number): SubjectPose {
    return this.performer.poseAt(timestampMs, { challenge: this.stimulusAt(timestampMs).challenge });
  }

  /** The recorded frame, injected as it is (lit by the colours of the session it was recorded in). */
  frameAt(timestampMs: number): RgbFrame {
    return renderGenuine(this.scene, this.subject, this.poseAt(timestampMs), this.stimulusAt(timestampMs).screenRgb);
  }
}

export interface SyntheticSessionOptions {
  engine: Engine;
  subject: SubjectTexture;
  /** Seeds the scene, the subject's behaviour, and the session's own random draws (challenge order, flash). */
  seed: number;
  kind: SubjectKind;
  config: LivenessConfigInput;
  /** Camera frame rate (default 12). */
  fps?: number;
  /** Give up after this long (default 40 s). */
  maxDurationMs?: number;
  /**
   * What the emitting screen shows: 'puppet' (default) follows the prompts live, the strongest screen attacker
   * (a real-time face reenactment); 'recording' plays a recording of another session.
   */
  screenContent?: 'puppet' | 'recording';
}

export interface SyntheticSessionRun {
  kind: SubjectKind;
  seed: number;
  result: LivenessResult;
  frames: number;
}

/** The session's own seed for a synthetic seed: the replay uses another one, as a recording of another session. */
export const sessionSeed = (seed: number): string => `synthetic-session:${seed}`;

export async function runSyntheticSession(options: SyntheticSessionOptions): Promise<SyntheticSessionRun> {
  const { engine, subject, seed, kind } = options;
  // One attempt: a retry would draw a new order and sequence, which the tests look at separately.
  const config = parseLivenessConfig({ ...options.config, face_liveness_max_attempts: 1 });
  const session = createLivenessSession(config, {
    seed: sessionSeed(seed),
    sessionId: `synthetic-${kind}-${seed}`,
    modelVersions: engine.modelVersions(),
  });
  const plan = session.plan;
  const scene = new SyntheticScene({ seed });
  const performer = new Performer(`${kind}:${seed}`, kind === 'planar_photo' ? 'photo' : 'person');
  let recording: Recording | null = null;
  if (kind === 'replay' || (kind === 'emitting_screen' && options.screenContent === 'recording')) {
    // The recording was made in another session: its plan comes from another seed.
    const other = createLivenessSession(config, { seed: `${sessionSeed(seed)}:recorded-elsewhere` }).plan;
    recording = new Recording(scene, subject, other.challenges, other.flash, `${seed}`);
  }
  const frameMs = 1000 / (options.fps ?? 12);
  const maxMs = options.maxDurationMs ?? 40_000;
  let update: SessionUpdate | null = null;
  let frames = 0;
  for (let t = 0; t <= maxMs; t += frameMs) {
    const timestampMs = Math.round(t);
    const stimulus = stimulusAfter(update, plan.flash);
    let frame: RgbFrame;
    switch (kind) {
      case 'genuine':
        frame = renderGenuine(scene, subject, performer.poseAt(timestampMs, stimulus), stimulus.screenRgb);
        break;
      case 'planar_photo':
        frame = renderPlanarPhoto(scene, subject, performer.poseAt(timestampMs, stimulus), stimulus.screenRgb);
        break;
      case 'emitting_screen': {
        // The content was made under neutral light; only the screen's glass sees this session's colours.
        const pose = recording ? recording.poseAt(timestampMs) : performer.poseAt(timestampMs, stimulus);
        const content = renderContent(scene, subject, pose, [...FLASH_REST_RGB] as Vec3);
        frame = renderEmittingScreen(scene, content, NEUTRAL_POSE, stimulus.screenRgb);
        break;
      }
      case 'replay':
        frame = recording!.frameAt(timestampMs);
        break;
    }
    const analysis = await engine.analyzeFrame(frame, { timestampMs });
    frames++;
    update = session.pushFrame(analysis);
    if (update.done) break;
  }
  return { kind, seed, result: session.finish(), frames };
}
