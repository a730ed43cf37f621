// What the console's own API (/console/api/*) sends to the console app: one definition for the server and the browser.

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

/** One enrolled kiosk: its last sync, what it sent, and the workflow the server delivers to it. */
export interface KioskSummary {
  device_id: string;
  enrolled_at: string;
  last_sync_at: string | null;
  decisions: number;
  last_seq: number;
  /** Records the kiosk still holds; null until kiosks report it at sync. */
  pending: number | null;
  /** Model versions of the kiosk's latest decision. */
  version: string | null;
  /** The workflow assigned to this kiosk (PUT /v1/devices/{id}/workflow); null means the server's default. */
  workflow: { id: string; name: string; version: number } | null;
}
