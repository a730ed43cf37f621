// Score bands of the brief: >= threshold Approved; 50..threshold-1 In Review; < 50 Declined.
import type { Status } from './catalogue';

export const DEFAULT_THRESHOLD = 75;
export const REVIEW_FLOOR = 50;

export type DecidedStatus = Extract<Status, 'Approved' | 'In Review' | 'Declined'>;

export function statusForScore(score: number, threshold: number = DEFAULT_THRESHOLD): DecidedStatus {
  if (!Number.isFinite(score)) return 'Declined';
  if (score >= threshold) return 'Approved';
  // A threshold at or below the review floor leaves no review band.
  if (score >= Math.min(REVIEW_FLOOR, threshold)) return 'In Review';
  return 'Declined';
}

/** Clamp and round a raw 0-100 score so every process reports the same integer. */
export function normalizeScore(raw: number): number {
  if (!Number.isFinite(raw)) return 0;
  return Math.round(Math.min(100, Math.max(0, raw)));
}
