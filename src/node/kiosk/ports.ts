// What the kiosk service needs from the engine, the decision core and the store (wired in ./compose.ts).
import type { LivenessConfig } from '../../shared/config';
import type { LivenessResult } from '../../shared/result';
import type { DecisionSummary, QueueStatus } from '../../shared/ipc-contract';
import type { Engine } from '../engine/api';
import type { LivenessSession, SessionDeps } from '../../liveness/types';

export type FrameEngine = Pick<Engine, 'analyzeImage' | 'modelVersions'>;

/** src/liveness's session factory. */
export type CreateLivenessSession = (config: LivenessConfig, deps?: SessionDeps) => LivenessSession;

export interface DecisionStore {
  /** Keeps the decision in the offline queue; the reference JPEG (if any) is stored encrypted by the store. */
  recordDecision(result: LivenessResult, referenceJpeg?: Uint8Array): void | Promise<void>;
  queueStatus(): QueueStatus | Promise<QueueStatus>;
  recentDecisions(limit: number): DecisionSummary[] | Promise<DecisionSummary[]>;
  close?(): void | Promise<void>;
}
