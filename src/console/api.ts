// The console's only door to the server: same-origin JSON under /console/api, the session cookie sent by the
// browser, and the CSRF token (given at sign-in) on every state-changing request.
import type { ConsoleUser, SessionSummary } from '../shared/console-wire';

export type { SessionSummary } from '../shared/console-wire';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken = '';
export const setCsrfToken = (token: string) => {
  csrfToken = token;
};

export async function api<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(`/console/api/${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'network');
  }
  const payload = (await response.json().catch(() => null)) as ({ error?: { code?: string; message?: string } } & T) | null;
  if (!response.ok) throw new ApiError(response.status, payload?.error?.code ?? 'other', payload?.error?.message ?? response.statusText);
  return payload as T;
}

/** The signed-in user, as /console/api/me and the sign-in answer name them. */
export type User = Pick<ConsoleUser, 'username' | 'role'>;

export interface ChallengeOutcome {
  challenge: string;
  completed: boolean;
  reason: 'completed' | 'timeout' | 'wrong_action' | 'not_reached';
}

export interface SessionDetail extends SessionSummary {
  has_image: boolean;
  result: {
    liveness_score: number;
    liveness_threshold: number;
    passive_score: number | null;
    flash_score: number | null;
    planar_score: number | null;
    pose_variation_score: number | null;
    expression_variation_score: number | null;
    face_quality: number | null;
    face_luminance: number | null;
    attempts_used: number;
    max_attempts: number;
    challenge_sequence: string[];
    challenges_completed: string[];
    challenge_outcomes?: ChallengeOutcome[];
    flash_sequence: { steps: unknown[] } | null;
    warnings: string[];
  };
  reviews: Array<{
    decision: string;
    previous_status: string;
    new_status: string;
    reviewer: string;
    note: string | null;
    reviewed_at: string;
  }>;
  evidence: {
    device_id: string;
    seq: number;
    hash: string;
    check: {
      record_hash_ok: boolean;
      signature_ok: boolean;
      chain_link_ok: boolean | null;
      image_hash_ok: boolean | null;
      verified: boolean;
    };
  };
}

/** A workflow as /console/api/workflows shows it: the API's workflow (/v3/workflows/) in the form's shape. */
export interface Workflow {
  id: string;
  name: string;
  liveness_mode: 'passive' | 'active' | 'flash' | 'action_flash';
  liveness_threshold: number;
  max_attempts: number;
  challenges: string[];
  checks: string[];
  is_default: boolean;
  status: string;
  version: number;
  updated_at: string;
}
