// Webhook destinations made through the API (/v3/webhook/destinations/): URL, events, and the secret that signs them.
import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { CodedError } from '../shared/errors';
import type { SqlDb } from './sql';
import { UuidTable } from './uuid-table';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** https only, except to this machine: a signed decision must not cross a network in the clear. */
export function assertWebhookUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CodedError('INVALID_ARGUMENT', 'url must be an absolute URL, e.g. https://bank.example/webhooks/liveness.');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    throw new CodedError('INVALID_ARGUMENT', 'url must use https (plain http is allowed only to this machine).');
  }
  return url.toString();
}

export const destinationBodySchema = z.object({
  label: z.string().min(1).max(100),
  url: z.string().min(1).max(2000),
  enabled: z.boolean().optional(),
  webhook_version: z.enum(['v1', 'v2', 'v3']).optional(),
  subscribed_events: z.array(z.string().min(1).max(100)).max(50).optional(),
});
export const destinationPatchSchema = destinationBodySchema.partial();

export interface DestinationRow {
  uuid: string;
  label: string;
  url: string;
  secret: string;
  enabled: number;
  webhook_version: string;
  subscribed_events_json: string;
  created_at: string;
  updated_at: string;
}

/** The API key's view: the secret in full (Didit's shape), so the integrator can verify x-signature. */
export function formatDestination(row: DestinationRow) {
  return {
    uuid: row.uuid,
    label: row.label,
    url: row.url,
    enabled: Number(row.enabled) === 1,
    webhook_version: row.webhook_version,
    subscribed_events: JSON.parse(row.subscribed_events_json) as string[],
    secret_shared_key: row.secret,
    secret_last4: row.secret.slice(-4),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export class WebhookDestinations extends UuidTable<DestinationRow> {
  constructor(db: SqlDb) {
    super(db, 'webhook_destinations');
  }

  async create(body: z.infer<typeof destinationBodySchema>): Promise<DestinationRow> {
    const uuid = randomUUID();
    const now = new Date().toISOString();
    await this.db.run(
      'INSERT INTO webhook_destinations (uuid, label, url, secret, enabled, webhook_version, subscribed_events_json, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)',
      [
        uuid,
        body.label,
        assertWebhookUrl(body.url),
        randomBytes(32).toString('hex'),
        body.enabled === false ? 0 : 1,
        body.webhook_version ?? 'v3',
        JSON.stringify(body.subscribed_events ?? []),
        now,
      ],
    );
    return (await this.get(uuid))!;
  }

  async update(uuid: string, body: z.infer<typeof destinationPatchSchema>): Promise<DestinationRow | undefined> {
    const row = await this.get(uuid);
    if (!row) return undefined;
    await this.db.run(
      'UPDATE webhook_destinations SET label = $1, url = $2, enabled = $3, webhook_version = $4, subscribed_events_json = $5, updated_at = $6 WHERE uuid = $7',
      [
        body.label ?? row.label,
        body.url === undefined ? row.url : assertWebhookUrl(body.url),
        body.enabled === undefined ? Number(row.enabled) : body.enabled ? 1 : 0,
        body.webhook_version ?? row.webhook_version,
        body.subscribed_events === undefined ? row.subscribed_events_json : JSON.stringify(body.subscribed_events),
        new Date().toISOString(),
        uuid,
      ],
    );
    return this.get(uuid);
  }

  async secretOf(uuid: string): Promise<string | undefined> {
    return (await this.db.get<{ secret: string }>('SELECT secret FROM webhook_destinations WHERE uuid = $1', [uuid]))?.secret;
  }
}
