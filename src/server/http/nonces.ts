// Request nonces: each (device, nonce) is accepted once inside the freshness window. Kept in the database so several
// instances behind one load balancer agree; expired ones are purged as requests arrive.
import { REQUEST_FRESHNESS_MS } from '../../node/sync/evidence';
import type { SqlDb } from '../sql';
import { isUniqueViolation } from '../sql';
import { NONCE_PURGE_INTERVAL_MS } from './limits';

export class RequestNonces {
  private nextPurgeAt = 0;

  constructor(
    private readonly db: SqlDb,
    private readonly now: () => number,
  ) {}

  /** True when this device already used this nonce inside the window (checked before the body is read). */
  async seen(deviceId: string, nonce: string): Promise<boolean> {
    return (
      (await this.db.get('SELECT 1 AS x FROM request_nonces WHERE device_id = $1 AND nonce = $2 AND expires_at > $3', [
        deviceId,
        nonce,
        this.now(),
      ])) !== undefined
    );
  }

  /** Record a verified request's nonce; false when another request with it got there first (a replay). */
  async use(deviceId: string, nonce: string, timestampMs: number): Promise<boolean> {
    const now = this.now();
    await this.purge(now);
    // Kept until its request's timestamp leaves the freshness window: after that the timestamp check refuses a replay.
    const expiresAt = Math.max(now, timestampMs) + REQUEST_FRESHNESS_MS;
    try {
      const inserted = await this.db.run(
        `INSERT INTO request_nonces (device_id, nonce, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (device_id, nonce) DO UPDATE SET expires_at = excluded.expires_at WHERE request_nonces.expires_at <= $4`,
        [deviceId, nonce, expiresAt, now],
      );
      return inserted === 1;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  private async purge(now: number): Promise<void> {
    if (now < this.nextPurgeAt) return;
    this.nextPurgeAt = now + NONCE_PURGE_INTERVAL_MS;
    await this.db.run('DELETE FROM request_nonces WHERE expires_at <= $1', [now]);
  }

  /** How many nonces are kept (tests check the purge). */
  async count(): Promise<number> {
    return Number((await this.db.get<{ n: number }>('SELECT CAST(COUNT(*) AS INTEGER) AS n FROM request_nonces'))?.n ?? 0);
  }
}
