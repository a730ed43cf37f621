// The liveness decision core's public surface. PURE: runs in main, the browser host, the renderer and tests.
export { createLivenessSession, MIN_EVIDENCE_FRAMES, MAX_EVIDENCE_FRAMES } from './session';
export { buildPlan, PASSIVE_CAPTURE_MS } from './plan';
export { AttemptLedger, type AttemptDecision, type AttemptReport } from './attempts';
export {
  generateFlashSequence,
  checkPhotosensitiveSafety,
  analyzeFlashResponse,
  flashDurationMs,
  flashStepAt,
  FLASH_REST_RGB,
  type FlashAnalysis,
  type FlashFrame,
  type SafetyReport,
} from './flash';
export { analyzePlanarity, stablePoints, fitHomography, type PlanarAnalysis } from './planar';
export { combineScores, judgeAttempt, passiveScoreOf, type ScoreBreakdown } from './scoring';
export { frameGuidance, POSITIONING } from './guidance';
export { cryptoRandom, seededRandom } from './random';
export * from './types';
export { analyzeClip, findChallengeEvents, type ClipAnalysis, type ClipOptions, type ClipEvent } from './clip';
