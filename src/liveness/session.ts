// One person's liveness check: plan -> pushFrame (live guidance) -> finish (result), with retries. PURE.
// The phases live in session-phases.ts, the decision in session-decision.ts; see README.md in this folder.
import type { FrameAnalysis } from '../shared/analysis';
import { livenessConfigSchema, type LivenessConfig } from '../shared/config';
import { CodedError } from '../shared/errors';
import type { LivenessResult } from '../shared/result';
import { AttemptLedger, type AttemptDecision } from './attempts';
import { frameGuidance, POSITIONING, significantFaces } from './guidance';
import { buildPlan } from './plan';
import { cryptoRandom, randomHex, seededRandom } from './random';
import { chooseReference, computeAttempt, pendingOutcomes, selectEvidence, toResult, type Computed } from './session-decision';
import {
  Attempt,
  isNeutral,
  recordFace,
  stepCapturing,
  stepChallenge,
  stepFlash,
  stepPositioning,
  type FrameRecord,
  type StepReport,
} from './session-phases';
import type { GuidanceCode, LivenessSession, RandomSource, SessionDeps, SessionPlan, SessionUpdate } from './types';

export { MIN_EVIDENCE_FRAMES, MAX_EVIDENCE_FRAMES } from './session-decision';
export { WRONG_MOVEMENT_GRACE_MS, WRONG_MOVEMENTS_FORGIVEN } from './session-phases';

/** Spacing and cap of the regularly retained frames that fill the evidence up to 8. */
const CADENCE_MS = 400;
const MAX_CADENCE_FRAMES = 24;

function validateFrame(analysis: FrameAnalysis): void {
  if (!analysis || typeof analysis !== 'object' || !Array.isArray(analysis.faces) || !Number.isFinite(analysis.timestampMs)) {
    throw new CodedError('INVALID_ARGUMENT', 'A frame analysis needs a finite timestampMs and a faces array.');
  }
}

/** The frame's guidance as the person sees it: a wrong movement during a challenge says "the other way". */
function guidanceFor(a: Attempt, analysis: FrameAnalysis, previous: Attempt['lastFace'], gapMs: number): GuidanceCode[] {
  const guidance = frameGuidance(analysis, previous, a.phase, gapMs);
  return a.phase === 'challenge' && a.inGrace ? ['wrong_movement', ...guidance] : guidance;
}

/** Keeps the best neutral frame as the reference candidate and a regular cadence of frames as evidence. */
function noteRetention(a: Attempt, record: FrameRecord, phaseAtStart: Attempt['phase'], guidance: GuidanceCode[]): boolean {
  const face = record.face;
  if (!face) return false;
  let retain = false;
  const neutral = a.baseline ? isNeutral(face, a.baseline) : phaseAtStart === 'positioning' && guidance.length === 0;
  if (neutral && (!a.bestReference || face.quality > a.bestReference.quality)) {
    a.bestReference = { frameIndex: record.frameIndex, quality: face.quality };
    retain = true;
  }
  if (record.timestampMs - a.lastCadenceMs >= CADENCE_MS && a.cadenceFrames < MAX_CADENCE_FRAMES) {
    a.lastCadenceMs = record.timestampMs;
    a.cadenceFrames += 1;
    retain = true;
  }
  return retain;
}

function buildUpdate(
  a: Attempt,
  t: number,
  guidance: GuidanceCode[],
  report: StepReport,
  retain: boolean,
  frameIndex: number,
): SessionUpdate {
  const step = a.step;
  const windowEnd =
    a.phase === 'done' || !step ? t : a.inGrace && a.graceUntilMs !== null ? a.graceUntilMs : (a.stepStartMs ?? t) + step.windowMs;
  const update: SessionUpdate = {
    phase: a.phase,
    guidance,
    challengeIndex: a.challengeIndex,
    challengesTotal: a.plan.challenges.length,
    challengeProgress: Math.round(Math.min(1, Math.max(0, a.phase === 'done' ? 1 : report.progress)) * 100) / 100,
    secondsLeft: Math.max(0, Math.round((windowEnd - t) / 100) / 10),
    retain,
    frameIndex,
    done: a.phase === 'done',
  };
  if (a.phase === 'challenge' && a.step?.challenge) update.currentChallenge = a.step.challenge;
  if (report.flashStep !== undefined && a.phase === 'flash') update.flashStep = report.flashStep;
  return update;
}

export function createLivenessSession(config: LivenessConfig, deps: SessionDeps = {}): LivenessSession {
  const parsed = livenessConfigSchema.safeParse(config);
  if (!parsed.success) {
    throw new CodedError(
      'INVALID_ARGUMENT',
      `The liveness configuration is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`,
    );
  }
  const cfg = parsed.data;
  const random: RandomSource = deps.random ?? (deps.seed !== undefined ? seededRandom(`session:${deps.seed}`) : cryptoRandom);
  const now = deps.now ?? (() => Date.now());
  const id = deps.sessionId ?? randomHex(random, 16);
  const ledger = new AttemptLedger(cfg.face_liveness_max_attempts);
  let attempt = new Attempt(buildPlan(cfg, random));

  function pushFrame(analysis: FrameAnalysis): SessionUpdate {
    validateFrame(analysis);
    if (ledger.state !== 'open') {
      throw new CodedError('CONFLICT', 'This attempt is finished: call retry() to start the next one, or start a new session.');
    }
    const a = attempt;
    const t = analysis.timestampMs;
    if (t < a.lastTimestamp) throw new CodedError('INVALID_ARGUMENT', 'Frame timestamps must not go backwards.');
    const gapMs = Number.isFinite(a.lastTimestamp) ? t - a.lastTimestamp : undefined;
    a.lastTimestamp = t;
    if (a.stepStartMs === null) a.stepStartMs = t;
    const frameIndex = a.frames.length;
    const faces = significantFaces(analysis);
    const previous = a.lastFace;
    const frameCodes = frameGuidance(analysis, previous, a.phase, gapMs);
    const subject = faces.length === 1 ? faces[0] : undefined;
    const face = subject ? recordFace(subject, frameIndex, t) : null;
    const record: FrameRecord = {
      frameIndex,
      timestampMs: t,
      width: analysis.width,
      height: analysis.height,
      phase: a.phase,
      faceCount: faces.length,
      face,
    };
    a.frames.push(record);
    a.lastFace = faces[0];
    const phaseAtStart = a.phase;

    let report: StepReport = { progress: 0, retain: false };
    if (a.phase === 'positioning') report = stepPositioning(a, t, face, frameCodes);
    else if (a.phase === 'capturing') report = stepCapturing(a, t);
    else if (a.phase === 'challenge') report = stepChallenge(a, t, face, frameIndex);
    else if (a.phase === 'flash') report = stepFlash(a, t, face, record);

    const guidance = guidanceFor(a, analysis, previous, gapMs ?? POSITIONING.stillReferenceGapMs);
    const retain = noteRetention(a, record, phaseAtStart, frameCodes) || report.retain;
    if (retain) a.retained.add(frameIndex);
    const update = buildUpdate(a, t, guidance, report, retain, frameIndex);
    a.lastUpdate = update;
    return update;
  }

  function resultOf(a: Attempt, computed: Computed, decision: AttemptDecision): LivenessResult {
    return toResult(a, computed, decision, {
      sessionId: id,
      createdAt: new Date(now()).toISOString(),
      cfg,
      attemptNumber: ledger.attemptsUsed,
      modelVersions: deps.modelVersions ?? {},
    });
  }

  function finish(): LivenessResult {
    if (ledger.state !== 'open') {
      if (attempt.result) return attempt.result;
      throw new CodedError('CONFLICT', 'This check has no attempt in progress.');
    }
    const c = computeAttempt(attempt, cfg);
    const decision = ledger.record({
      passed: c.verdict.passed,
      computedStatus: c.verdict.computedStatus,
      warnings: c.verdict.warnings,
      feedbackCodes: c.verdict.feedbackCodes,
    });
    attempt.phase = 'done';
    attempt.result = resultOf(attempt, c, decision);
    return attempt.result;
  }

  function abandon(): LivenessResult {
    if (ledger.state === 'closed' && attempt.result) return attempt.result;
    const c = computeAttempt(attempt, cfg);
    const decision = ledger.abandon();
    attempt.phase = 'done';
    attempt.result = { ...resultOf(attempt, c, decision), liveness_passed: false, feedback_codes: [], feedback_messages: [] };
    return attempt.result;
  }

  function retry(): SessionPlan {
    ledger.startRetry();
    // A fresh order and a fresh flash sequence: nothing a recording learnt from the last attempt helps.
    attempt = new Attempt(buildPlan(cfg, random));
    return attempt.plan;
  }

  return {
    id,
    get plan() {
      return attempt.plan;
    },
    get attempt() {
      return ledger.attemptsUsed + (ledger.state === 'open' ? 1 : 0);
    },
    pushFrame,
    finish,
    abandon,
    retry,
    evidence: () => selectEvidence(attempt, chooseReference(attempt), pendingOutcomes(attempt)),
    challengeOutcomes: () => pendingOutcomes(attempt),
    markFlashStart(timestampMs: number) {
      if (!Number.isFinite(timestampMs)) throw new CodedError('INVALID_ARGUMENT', 'markFlashStart needs a finite timestamp.');
      attempt.markedFlashStartMs = timestampMs;
      if (attempt.phase === 'flash') attempt.flashStartMs = timestampMs;
    },
  };
}
