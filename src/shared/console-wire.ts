// What the console's own API (/console/api/*) sends to the console app: one definition for the server and the browser.

/** Console roles, least to most allowed. */
export const ROLES = ['viewer', 'reviewer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** A console account as the users list shows it. */
export interface ConsoleUser {
  id: number;
  username: string;
  role: Role;
  created_at: string;
  disabled_at: string | null;
}

/** One integrator API key in the keys list (its prefix only: the key itself is shown once, at creation). */
export interface ApiKeySummary {
  id: number;
  username: string;
  label: string;
  prefix: string;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

/** One entry of the append-only, hash-chained audit log. */
export interface AuditEntry {
  id: number;
  at: string;
  actor_type: string;
  actor: string;
  action: string;
  target: string | null;
  detail: Record<string, unknown>;
  ip: string | null;
  hash: string;
}

/** The audit chain recomputed: an entry edited or removed behind the triggers' back shows as the first broken id. */
export interface AuditChainCheck {
  ok: boolean;
  entries: number;
  firstBrokenId: number | null;
}

/** One row of the console's sessions list. */
export interface SessionSummary {
  session_id: string;
  session_number: number;
  status: string;
  /** The kiosk's own decision, before any review. */
  decided_status: string;
  kiosk: string;
  liveness_mode: string;
  score: number;
  warnings: string[];
  created_at: string;
  received_at: string;
}

/** A workflow as the console names it: id, label, version. */
export interface WorkflowRef {
  id: string;
  name: string;
  version: number;
}

/** One enrolled kiosk: its last sync, what it sent, what it reported, and the workflow it runs. */
export interface KioskSummary {
  device_id: string;
  enrolled_at: string;
  /** Its latest signed call: a decision batch or the status report that follows each sync. */
  last_sync_at: string | null;
  decisions: number;
  last_seq: number;
  /** Records the kiosk still holds, as it reported at its last sync; null until it reports. */
  pending: number | null;
  /** The kiosk's app version, as reported at sync. */
  version: string | null;
  /** Model versions of the kiosk's latest decision. */
  models: string | null;
  /** The signed workflow the kiosk reports it applied; null when it runs its built-in settings. */
  workflow: WorkflowRef | null;
  /** What the server delivers to it at its next sync: its assigned workflow, or the default. */
  delivered: WorkflowRef | null;
}
