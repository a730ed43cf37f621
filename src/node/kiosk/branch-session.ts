// A branch session taken at the kiosk: by the short code the person types (online: the central service hands it
// over) or by the QR a teller printed, a server-signed session ticket that an offline kiosk verifies against the
// workflow-signing key pinned at provisioning. The kiosk then runs the session's own workflow, under the attempt's
// id, so the decision lands on that session when it syncs.
import { verify } from 'node:crypto';
import { z } from 'zod';
import type { BranchRefusal } from '../../shared/ipc-contract';
import { CodedError } from '../../shared/errors';
import { normalizeShortCode } from '../../shared/short-code';
import { workflowSettingsSchema, type WorkflowSettings } from '../../shared/workflow';
import { canonicalJson } from '../sync/evidence';
import { parseWorkflowKey, workflowKeyId } from './workflow-trust';

/** `lvs1.<base64url canonical JSON payload>.<base64url Ed25519 signature>` (src/server/signing.ts). */
const TICKET_PREFIX = 'lvs1';

export const sessionTicketSchema = z.object({
  typ: z.literal('session'),
  session_id: z.string().min(1).max(128),
  attempt_id: z.string().min(1).max(128),
  attempt: z.number().int().min(1),
  short_code: z.string().min(1).max(20),
  workflow_id: z.string().min(1).max(100),
  workflow_version: z.number().int().min(1),
  settings: workflowSettingsSchema,
  issued_at: z.string().datetime({ offset: true }),
  expires_at: z.string().datetime({ offset: true }),
  key_id: z.string().min(1).max(100),
});
export type SessionTicket = z.infer<typeof sessionTicketSchema>;

/** A refusal the renderer shows as a translated sentence. */
export class BranchRefused extends Error {
  constructor(readonly reason: BranchRefusal) {
    super(`branch session refused: ${reason}`);
  }
}

/** The ticket, verified against the pinned key and not expired; throws BranchRefused saying why not. */
export function verifySessionTicket(ticket: string, publicKeyPem: string, nowMs: number): SessionTicket {
  const [prefix, payloadPart, signaturePart, ...rest] = ticket.trim().split('.');
  if (prefix !== TICKET_PREFIX || !payloadPart || !signaturePart || rest.length > 0) throw new BranchRefused('ticket_invalid');
  const payloadBytes = Buffer.from(payloadPart, 'base64url');
  const signature = Buffer.from(signaturePart, 'base64url');
  let payload: unknown;
  try {
    payload = JSON.parse(payloadBytes.toString('utf8'));
  } catch {
    throw new BranchRefused('ticket_invalid');
  }
  const key = parseWorkflowKey(publicKeyPem);
  // The signature covers the canonical bytes; re-canonicalising refuses a payload sent in another form.
  if (signature.length !== 64 || canonicalJson(payload) !== payloadBytes.toString('utf8') || !verify(null, payloadBytes, key, signature)) {
    throw new BranchRefused('ticket_invalid');
  }
  const parsed = sessionTicketSchema.safeParse(payload);
  if (!parsed.success || parsed.data.key_id !== workflowKeyId(key)) throw new BranchRefused('ticket_invalid');
  if (Date.parse(parsed.data.expires_at) <= nowMs) throw new BranchRefused('ticket_expired');
  return parsed.data;
}

/** A session the kiosk took: the id its decision record carries, the workflow to run, the reference photo if sent. */
export interface TakenBranchSession {
  /** The central session. */
  sessionId: string;
  /** The attempt's id: the kiosk's decision record uses it as its session_id, and the server files it under sessionId. */
  attemptId: string;
  settings: WorkflowSettings;
  /** The session's reference photo (JPEG or PNG bytes) for the 1:1 face match; only an online claim carries it. */
  portrait: Uint8Array | null;
  offline: boolean;
}

export type BranchTake = { taken: true; session: TakenBranchSession } | { taken: false; reason: BranchRefusal };

/** What the kiosk's signed sync client answers to a claim (src/node/sync/client.ts claimSession). */
export type ClaimCall = (code: string) => Promise<{ claimed: unknown } | { refused: string; message: string }>;

const claimAnswerSchema = z.object({
  session_id: z.string().min(1).max(128),
  attempt_id: z.string().min(1).max(128),
  token: z.string().min(1).max(8000),
  portrait_image: z.string().nullable().optional(),
});

/** The server's refusal codes (src/server/branch.ts claimByCode) as the renderer's reasons. */
const REFUSALS: Record<string, BranchRefusal> = {
  INVALID_CODE: 'invalid_code',
  INVALID_PAYLOAD: 'invalid_code',
  CODE_NOT_FOUND: 'code_not_found',
  CODE_EXPIRED: 'code_expired',
  CODE_SUPERSEDED: 'code_superseded',
  CODE_ALREADY_TAKEN: 'code_taken',
  SESSION_DECIDED: 'session_decided',
};

export interface BranchSessionOptions {
  /** The signed claim; null when this kiosk has no central service (it can still take a QR ticket offline). */
  claim: ClaimCall | null;
  /** The workflow-signing key pinned at provisioning (PEM); null on an unprovisioned kiosk. */
  workflowKeyPem: () => string | null;
  /** True when this kiosk already recorded a decision under this id (a ticket is good for one attempt). */
  alreadyRecorded: (attemptId: string) => boolean;
  now?: () => number;
}

export function createBranchSessions(options: BranchSessionOptions) {
  const now = options.now ?? Date.now;

  const pinnedKey = (): string => {
    const pem = options.workflowKeyPem();
    if (!pem) throw new BranchRefused('not_connected');
    return pem;
  };

  /** Online: the service hands the session over; its settings are used only from the signed token it returns. */
  async function claimOnline(code: string): Promise<TakenBranchSession> {
    if (!options.claim) throw new BranchRefused('not_connected');
    let answer;
    try {
      answer = await options.claim(code);
    } catch (err) {
      if (err instanceof CodedError && err.code === 'NETWORK_ERROR') throw new BranchRefused('needs_network');
      if (err instanceof CodedError && err.code === 'UNAUTHORIZED') throw new BranchRefused('not_connected');
      throw new BranchRefused('server_error');
    }
    if ('refused' in answer) throw new BranchRefused(REFUSALS[answer.refused] ?? 'server_error');
    const parsed = claimAnswerSchema.safeParse(answer.claimed);
    if (!parsed.success) throw new BranchRefused('server_error');
    const ticket = verifySessionTicket(parsed.data.token, pinnedKey(), now());
    if (ticket.attempt_id !== parsed.data.attempt_id || ticket.session_id !== parsed.data.session_id)
      throw new BranchRefused('ticket_invalid');
    if (options.alreadyRecorded(ticket.attempt_id)) throw new BranchRefused('code_used');
    const portrait = parsed.data.portrait_image ? new Uint8Array(Buffer.from(parsed.data.portrait_image, 'base64')) : null;
    return { sessionId: ticket.session_id, attemptId: ticket.attempt_id, settings: ticket.settings, portrait, offline: false };
  }

  async function take(request: { code?: string; ticket?: string }): Promise<TakenBranchSession> {
    if (request.code !== undefined) {
      const code = normalizeShortCode(request.code);
      if (!code) throw new BranchRefused('invalid_code');
      return claimOnline(code);
    }
    const ticket = verifySessionTicket(request.ticket ?? '', pinnedKey(), now());
    if (options.alreadyRecorded(ticket.attempt_id)) throw new BranchRefused('code_used');
    if (options.claim) {
      try {
        // Online, the QR is claimed like its code: the session goes In Progress and its reference photo comes along.
        return await claimOnline(ticket.short_code);
      } catch (err) {
        if (!(err instanceof BranchRefused) || (err.reason !== 'needs_network' && err.reason !== 'server_error')) throw err;
      }
    }
    // Offline: the signed ticket is the session; the decision syncs onto it when the network is back.
    return { sessionId: ticket.session_id, attemptId: ticket.attempt_id, settings: ticket.settings, portrait: null, offline: true };
  }

  return {
    async take(request: { code?: string; ticket?: string }): Promise<BranchTake> {
      try {
        return { taken: true, session: await take(request) };
      } catch (err) {
        if (err instanceof BranchRefused) return { taken: false, reason: err.reason };
        throw err;
      }
    },
  };
}
export type BranchSessions = ReturnType<typeof createBranchSessions>;
