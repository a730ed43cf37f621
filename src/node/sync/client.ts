// The sync client: enrols the kiosk once, then drains the outbox to the central API with signed requests.
import { CodedError } from '../../shared/errors';
import type { DecisionStore } from '../store/store';
import { signedRequestHeaders } from './evidence';
import {
  classifyStatus,
  DEFAULT_BACKOFF,
  drainQueue,
  parseRetryAfter,
  retryDelayMs,
  type BackoffPolicy,
  type BatchOutcome,
  type DrainReport,
  type FaultPoint,
  type OutboxJob,
  type RecordAnswer,
} from './queue';

export interface SyncClientOptions {
  store: DecisionStore;
  /** Base URL of the central API, e.g. http://127.0.0.1:8787 */
  serverUrl: string;
  /** One-time enrolment token, needed only the first time this kiosk talks to this server. */
  enrolToken?: string;
  batchSize?: number;
  backoff?: BackoffPolicy;
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
  random?: () => number;
  /** Test-only hook at named moments of a drain (fault tests stop the process there). */
  faults?: (point: FaultPoint) => void;
}

export interface SyncLoopHandle {
  /** Resolves once the loop has finished its current step. */
  stop(): Promise<void>;
}

export const DEFAULT_BATCH_SIZE = 50;
/** Images travel inside the batch; keep one request well under the server's 48 MB body limit. */
export const MAX_BATCH_BYTES = 24 * 1024 * 1024;

/** The longest prefix of records that fits the byte budget (always at least one; the rest go in the next batch). */
function fitToBudget<T extends { image: string | null }>(records: T[]): T[] {
  let bytes = 0;
  for (let i = 0; i < records.length; i++) {
    bytes += (records[i].image?.length ?? 0) + 4096;
    if (bytes > MAX_BATCH_BYTES && i > 0) return records.slice(0, i);
  }
  return records;
}

function deviceSettingKey(serverUrl: string): string {
  return `device_id@${new URL(serverUrl).origin}`;
}

function describeError(err: unknown): string {
  const cause = (err as { cause?: { code?: string } })?.cause?.code;
  return cause ? `${cause}` : err instanceof Error ? err.message : String(err);
}

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]']);

/**
 * The server URL, refused unless it is https: batches carry face images and decisions. Plain http is allowed only
 * to this machine (a local TLS-terminating proxy or tunnel, and the tests).
 */
export function checkServerUrl(serverUrl: string): URL {
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    throw new CodedError('INVALID_ARGUMENT', `The server URL ${serverUrl} is not a URL.`);
  }
  const loopback = LOOPBACK_HOSTS.has(url.hostname) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(url.hostname);
  if (url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) return url;
  throw new CodedError(
    'INVALID_ARGUMENT',
    `The server URL must be https:// (decisions and face images travel to it); plain http is allowed only to this machine, not ${url.origin}.`,
  );
}

export function createSyncClient(options: SyncClientOptions) {
  const { store } = options;
  const base = checkServerUrl(options.serverUrl);
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const policy = options.backoff ?? DEFAULT_BACKOFF;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const timeoutMs = options.requestTimeoutMs ?? 30_000;

  /** A request signed with the kiosk's device key (a GET signs the empty body). */
  async function signedRequest(method: 'GET' | 'POST', path: string, body: unknown, deviceId: string): Promise<Response> {
    const text = method === 'POST' ? JSON.stringify(body) : '';
    // Wall-clock time: the server checks freshness against its own clock.
    // A fresh nonce per request: the server accepts each (device, nonce) once, so a captured request cannot be replayed.
    const signed = signedRequestHeaders((message) => store.identity.sign(message), {
      method,
      path,
      body: text,
      deviceId,
      timestampMs: Date.now(),
    });
    return doFetch(new URL(path, base), {
      method,
      headers: { ...(method === 'POST' ? { 'content-type': 'application/json' } : {}), ...signed },
      ...(method === 'POST' ? { body: text } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
  }
  const signedPost = (path: string, body: unknown, deviceId: string) => signedRequest('POST', path, body, deviceId);

  /**
   * The workflow the central service assigns this kiosk, as the signed envelope it sent (the kiosk verifies it
   * against the key pinned at provisioning); null when the service has none for it.
   */
  async function fetchWorkflow(): Promise<{ deviceId: string; envelope: unknown }> {
    const deviceId = await enrol();
    let response: Response;
    try {
      response = await signedRequest('GET', '/v1/kiosk/workflow', null, deviceId);
    } catch (err) {
      throw new CodedError('NETWORK_ERROR', `Could not reach ${base.origin} for this kiosk's workflow (${describeError(err)}).`, {
        cause: err,
      });
    }
    if (response.status === 404) return { deviceId, envelope: null };
    if (!response.ok) {
      const error = await readError(response);
      throw new CodedError('SERVER_ERROR', `The workflow request was refused: ${error.code}: ${error.message}`);
    }
    return { deviceId, envelope: await response.json() };
  }

  /**
   * Takes a branch session by the code the person typed (or the one in a verified QR ticket). Throws CodedError
   * NETWORK_ERROR when the server cannot be reached; a refusal comes back as { refused: server code }.
   */
  async function claimSession(code: string): Promise<{ claimed: unknown } | { refused: string; message: string }> {
    const deviceId = await enrol();
    let response: Response;
    try {
      response = await signedPost('/v1/kiosk/sessions/claim', { code }, deviceId);
    } catch (err) {
      throw new CodedError('NETWORK_ERROR', `Could not reach ${base.origin} to take the session (${describeError(err)}).`, { cause: err });
    }
    if (response.ok) return { claimed: await response.json() };
    if (response.status >= 500) throw new CodedError('SERVER_ERROR', `The server answered ${response.status} to the session claim.`);
    const error = await readError(response);
    return { refused: error.code, message: error.message };
  }

  /** Tells the server this kiosk's outbox backlog, app version and applied workflow (device-signed body). */
  async function reportStatus(report: {
    pending: number;
    app_version: string | null;
    workflow_id: string | null;
    workflow_version: number | null;
  }): Promise<void> {
    const deviceId = await enrol();
    const response = await signedPost('/v1/kiosk/status', report, deviceId);
    if (!response.ok) {
      const error = await readError(response);
      throw new CodedError('SERVER_ERROR', `The status report was refused: ${error.code}: ${error.message}`);
    }
  }

  async function readError(response: Response): Promise<{ code: string; message: string }> {
    try {
      const body = (await response.json()) as { error?: { code?: string; message?: string } };
      return { code: body.error?.code ?? `HTTP_${response.status}`, message: body.error?.message ?? response.statusText };
    } catch {
      return { code: `HTTP_${response.status}`, message: response.statusText };
    }
  }

  /** The device id this server gave us, enrolling with the one-time token on first use. */
  async function enrol(): Promise<string> {
    const known = store.getSetting(deviceSettingKey(options.serverUrl));
    if (known) return known;
    if (!options.enrolToken) {
      throw new CodedError(
        'UNAUTHORIZED',
        `This kiosk is not enrolled with ${base.origin}; pass the one-time enrolment token (--enrol-token).`,
      );
    }
    let response: Response;
    try {
      response = await signedPost('/v1/devices/enrol', { token: options.enrolToken, public_key: store.identity.publicKeyPem }, 'enrolling');
    } catch (err) {
      throw new CodedError('NETWORK_ERROR', `Could not reach ${base.origin} to enrol (${describeError(err)}).`, { cause: err });
    }
    if (!response.ok) {
      const error = await readError(response);
      throw new CodedError(
        response.status === 401 || response.status === 403 ? 'UNAUTHORIZED' : 'SERVER_ERROR',
        `Enrolment refused: ${error.code}: ${error.message}`,
      );
    }
    const { device_id: deviceId } = (await response.json()) as { device_id?: string };
    if (!deviceId) throw new CodedError('SERVER_ERROR', 'The server answered the enrolment without a device id.');
    store.setSetting(deviceSettingKey(options.serverUrl), deviceId);
    return deviceId;
  }

  async function sendBatch(deviceId: string, jobs: OutboxJob[]): Promise<BatchOutcome> {
    const records = fitToBudget(store.signedRecords(jobs.map((job) => job.seq)));
    let response: Response;
    try {
      response = await signedPost('/v1/decisions', { records }, deviceId);
    } catch (err) {
      return { kind: 'retry', error: `NETWORK_ERROR: ${describeError(err)}`, retryAfterMs: null };
    }
    const kind = classifyStatus(response.status);
    if (kind === 'retry') {
      const error = await readError(response);
      return {
        kind: 'retry',
        error: `${error.code}: ${error.message}`,
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), now()),
      };
    }
    let body: { results?: RecordAnswer[]; error?: { code?: string; message?: string } };
    try {
      body = (await response.json()) as typeof body;
    } catch {
      return { kind: 'retry', error: `HTTP_${response.status}: unreadable answer`, retryAfterMs: null };
    }
    if (kind === 'answered' && Array.isArray(body.results)) return { kind: 'answered', results: body.results };
    return { kind: 'fatal', error: `${body.error?.code ?? `HTTP_${response.status}`}: ${body.error?.message ?? 'refused'}` };
  }

  /** One pass: enrol if needed, then send every due job in batches. */
  async function drainOnce(limits: { maxBatches?: number } = {}): Promise<DrainReport & { deviceId: string }> {
    const deviceId = await enrol();
    const report = await drainQueue({
      outbox: store,
      send: (jobs) => sendBatch(deviceId, jobs),
      now,
      random,
      batchSize,
      backoff: policy,
      maxBatches: limits.maxBatches,
      faults: options.faults,
    });
    return { ...report, deviceId };
  }

  /** Keep draining while the process runs: immediately, then whenever the oldest job is due or every idle interval. */
  function startSyncLoop(
    loop: { idleMs?: number; onReport?: (report: DrainReport) => void; onError?: (err: unknown) => void } = {},
  ): SyncLoopHandle {
    const idleMs = loop.idleMs ?? 30_000;
    let stopped = false;
    let wake: (() => void) | null = null;
    let failures = 0;
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, ms));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    const running = (async () => {
      while (!stopped) {
        let waitMs = idleMs;
        try {
          const report = await drainOnce();
          failures = 0;
          loop.onReport?.(report);
          const due = store.nextDueAt();
          if (due !== null) waitMs = Math.min(idleMs, Math.max(0, due - now()));
        } catch (err) {
          // Enrolment or network failure outside a batch: back off the same way.
          failures++;
          loop.onError?.(err);
          waitMs = retryDelayMs(failures, null, policy, random);
        }
        if (!stopped) await sleep(Math.max(waitMs, 10));
      }
    })();
    return {
      async stop() {
        stopped = true;
        wake?.();
        await running;
      },
    };
  }

  return {
    enrol,
    drainOnce,
    fetchWorkflow,
    claimSession,
    reportStatus,
    startSyncLoop,
    deviceId: () => store.getSetting(deviceSettingKey(options.serverUrl)),
  };
}

export type SyncClient = ReturnType<typeof createSyncClient>;
