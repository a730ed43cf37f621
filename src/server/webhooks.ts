// Outgoing webhooks: deliveries are rows written with the decision; this dispatcher sends, signs and retries them.
import { createHmac } from 'node:crypto';
import { backoffDelayMs, type BackoffPolicy } from '../node/sync/queue';
import type { Metrics } from './metrics';
import { WebhookDestinations } from './destinations';
import type { Storage, WebhookDelivery, WebhookTarget } from './storage';

export const WEBHOOK_SIGNATURE_HEADER = 'x-signature';
export const WEBHOOK_TIMESTAMP_HEADER = 'x-timestamp';
export const MAX_WEBHOOK_ATTEMPTS = 8;

/** HMAC-SHA256 (hex) of the raw body with the subscriber's secret: what a receiver recomputes. */
export function signWebhook(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body, 'utf8').digest('hex');
}

export interface DispatcherOptions {
  storage: Storage;
  targets: readonly WebhookTarget[];
  metrics: Metrics;
  pollMs?: number;
  backoff?: BackoffPolicy;
  timeoutMs?: number;
}

export function startWebhookDispatcher(options: DispatcherOptions): { stop(): Promise<void>; flush(): Promise<void> } {
  const pollMs = options.pollMs ?? 500;
  const policy = options.backoff ?? { baseMs: 1000, capMs: 10 * 60_000 };
  const secrets = new Map(options.targets.map((t) => [t.url, t.secret]));
  const destinations = new WebhookDestinations(options.storage.db);
  let stopped = false;
  let running: Promise<void> = Promise.resolve();

  async function deliverDue(): Promise<void> {
    const batch = await options.storage.claimWebhooks(Date.now(), 30_000, 20);
    for (const delivery of batch) {
      if (delivery.destination_id !== null) {
        const secret = await destinations.secretOf(delivery.destination_id);
        if (secret === undefined) {
          // The destination was deleted: nobody is left to receive it.
          await options.storage.finishWebhook(delivery.id, {
            delivered: false,
            status: null,
            error: 'destination deleted',
            nextAttemptAt: null,
          });
          continue;
        }
        await deliver(delivery, secret);
        continue;
      }
      const secret = secrets.get(delivery.url);
      if (secret === undefined) {
        // Subscriber removed from the configuration: leave the row to an instance that still knows it.
        await options.storage.finishWebhook(delivery.id, {
          delivered: false,
          status: null,
          error: 'no secret configured for this URL',
          nextAttemptAt: Date.now() + 60_000,
        });
        continue;
      }
      await deliver(delivery, secret);
    }
  }

  async function deliver(delivery: WebhookDelivery, secret: string): Promise<void> {
    const timestamp = String(Math.floor(Date.now() / 1000));
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(delivery.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [WEBHOOK_SIGNATURE_HEADER]: signWebhook(secret, delivery.payload),
          [WEBHOOK_TIMESTAMP_HEADER]: timestamp,
        },
        body: delivery.payload,
        // A redirect would carry the signed decision to a host nobody configured: it counts as a failed attempt.
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      status = response.status;
      await response.arrayBuffer().catch(() => undefined);
    } catch (err) {
      error = (err as Error).message;
    }
    const delivered = status !== null && status >= 200 && status < 300;
    const attempt = delivery.attempts + 1;
    const giveUp = !delivered && attempt >= MAX_WEBHOOK_ATTEMPTS;
    options.metrics.webhooks.inc({ outcome: delivered ? 'delivered' : giveUp ? 'failed' : 'retry' });
    await options.storage.finishWebhook(delivery.id, {
      delivered,
      status,
      error: delivered ? null : (error ?? `HTTP ${status}`),
      nextAttemptAt: delivered || giveUp ? null : Date.now() + backoffDelayMs(attempt, policy, Math.random),
    });
  }

  const tick = () => {
    if (stopped) return;
    running = deliverDue()
      .catch(() => undefined)
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, pollMs);
      });
  };
  let timer: NodeJS.Timeout = setTimeout(tick, pollMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
    flush: () => deliverDue(),
  };
}
