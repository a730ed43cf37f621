// The browser-kiosk host: plain Node http serving the built renderer with strict headers, and the kiosk API over a
// WebSocket (same contract, same validation as Electron's IPC). Same-origin browsers only.
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { extname, resolve, sep } from 'node:path';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  LAUNCH_TOKEN_META,
  LAUNCH_TOKEN_PROTOCOL,
  MAX_FRAME_BYTES,
  WS_PATH,
  decodeFrameMessage,
  describeIssues,
  wsFrameHeaderSchema,
  wsRequestSchema,
  type Envelope,
} from '../../shared/ipc-contract';
import { CodedError } from '../../shared/errors';
import type { KioskService } from '../kiosk/service';
import { securityHeaders } from './security-headers';
import { createLaunchSecret, launchSecretMatches } from './launch-secret';
import { logger } from '../logging';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
};

/** Where the host serves the kiosk's Prometheus metrics (when given them). */
export const METRICS_PATH = '/metrics';

/** Requests one connection may have unanswered; the renderer needs a handful, a flood gets RATE_LIMITED at once. */
export const MAX_IN_FLIGHT_PER_CONNECTION = 16;

export interface KioskHostOptions {
  service: KioskService;
  rendererDir: string;
  host?: string;
  port?: number;
  /** Required to bind anything but loopback: HTTPS that demands a client certificate signed by `ca`. */
  tls?: { key: string | Buffer; cert: string | Buffer; ca: string | Buffer };
  /** Prometheus metrics served at GET /metrics (same reach as the page: loopback, or TLS with a client certificate). */
  metrics?: { contentType: string; render(): Promise<string> };
}

export interface KioskHost {
  url: string;
  /** The per-launch secret (tests and the launcher only; never logged). */
  launchToken: string;
  port: number;
  close(): Promise<void>;
}

export async function startKioskHost(options: KioskHostOptions): Promise<KioskHost> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host) && !options.tls) {
    throw new CodedError(
      'FORBIDDEN',
      `The kiosk API binds loopback only (127.0.0.1, ::1); binding ${host} needs TLS with client certificates (key, cert, ca).`,
    );
  }
  const rendererDir = resolve(options.rendererDir);
  let origin = { host, port: options.port ?? 8080, scheme: options.tls ? 'https' : 'http' };
  const launchToken = createLaunchSecret();

  const handler = (request: IncomingMessage, response: ServerResponse) => {
    if (options.metrics && request.method === 'GET' && (request.url ?? '').split('?')[0] === METRICS_PATH) {
      return void serveMetrics(options.metrics, origin, response);
    }
    serveStatic(rendererDir, origin, launchToken, request, response).catch(() => {
      if (!response.headersSent) sendJson(response, 500, origin, { code: 'INTERNAL', message: 'The file could not be served.' });
      else response.destroy();
    });
  };
  const server = options.tls
    ? createHttpsServer(
        { key: options.tls.key, cert: options.tls.cert, ca: options.tls.ca, requestCert: true, rejectUnauthorized: true },
        handler,
      )
    : createServer(handler);
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES + 4096, perMessageDeflate: false });

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== WS_PATH) return rejectUpgrade(socket, 404, { code: 'NOT_FOUND', message: `The kiosk API is at ${WS_PATH}.` });
    if (!isSameOrigin(request, origin)) {
      return rejectUpgrade(socket, 403, { code: 'FORBIDDEN', message: 'Only the kiosk page itself (same origin) may connect.' });
    }
    if (!presentsLaunchToken(request, launchToken)) {
      return rejectUpgrade(socket, 401, {
        code: 'UNAUTHORIZED',
        message: 'Only the page this kiosk served may connect (per-launch token missing or wrong).',
      });
    }
    sockets.handleUpgrade(request, socket, head, (ws) => attachClient(ws, options.service));
  });

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, host, () => resolvePromise());
  });
  const { port } = server.address() as AddressInfo;
  origin = { ...origin, port };
  const url = `${origin.scheme}://${formatHost(host)}:${port}/`;
  return {
    url,
    launchToken,
    port,
    async close() {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      await new Promise<void>((resolvePromise) => server.close(() => resolvePromise()));
    },
  };
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Origin must be exactly this host's origin, and Host must name us too (guards against DNS rebinding). */
function isSameOrigin(request: IncomingMessage, origin: HostOrigin): boolean {
  const allowedHosts = new Set([`${formatHost(origin.host)}:${origin.port}`]);
  if (origin.host === '127.0.0.1' || origin.host === '::1') allowedHosts.add(`localhost:${origin.port}`);
  const hostHeader = request.headers.host ?? '';
  const originHeader = request.headers.origin ?? '';
  return allowedHosts.has(hostHeader) && originHeader === `${origin.scheme}://${hostHeader}`;
}

interface HostOrigin {
  host: string;
  port: number;
  scheme: string;
}

function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost';
}

/** The upgrade names the per-launch secret as one of its subprotocols; compared in constant time. */
function presentsLaunchToken(request: IncomingMessage, launchToken: string): boolean {
  const offered = String(request.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((protocol) => protocol.trim());
  return offered.some(
    (protocol) =>
      protocol.startsWith(LAUNCH_TOKEN_PROTOCOL) && launchSecretMatches(protocol.slice(LAUNCH_TOKEN_PROTOCOL.length), launchToken),
  );
}

const STATUS_TEXT: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' };

function rejectUpgrade(socket: Duplex, status: number, error: { code: string; message: string }): void {
  // Who was refused and why, never what they offered (the subprotocol header may carry a token).
  logger('host').warn({ status, code: error.code }, 'kiosk API connection refused');
  const body = JSON.stringify({ ok: false, error });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function attachClient(ws: WebSocket, service: KioskService): void {
  const clientId = randomUUID();
  const context = { clientId };
  const unsubscribe = service.onEvent((target, event, payload) => {
    if (target === clientId && ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event, payload }));
  });
  const reply = (id: number | null, result: Envelope<unknown>) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id, result }));
  };
  const refuse = (id: number | null, message: string) => reply(id, { ok: false, error: { code: 'INVALID_PAYLOAD', message } });
  let inFlight = 0;
  // Every request is answered, but only a few at a time are queued behind the service (staff.unlock is serialised).
  const run = (id: number, channel: string, payload: unknown) => {
    if (inFlight >= MAX_IN_FLIGHT_PER_CONNECTION) {
      return reply(id, {
        ok: false,
        error: {
          code: 'RATE_LIMITED',
          message: `Too many requests in flight on this connection (at most ${MAX_IN_FLIGHT_PER_CONNECTION}); wait for the answers.`,
        },
      });
    }
    inFlight++;
    void service
      .handle(channel, payload, context)
      .then((result) => reply(id, result))
      .finally(() => inFlight--);
  };

  ws.on('message', (data: RawData, isBinary: boolean) => {
    const bytes = toBytes(data);
    if (isBinary) {
      const frame = decodeFrameMessage(bytes);
      if (!frame) return refuse(null, 'A binary message must be a session.frame: header length, JSON header, JPEG bytes.');
      const header = wsFrameHeaderSchema.safeParse(frame.header);
      if (!header.success) {
        const id = (frame.header as { id?: unknown })?.id;
        return refuse(typeof id === 'number' ? id : null, `Invalid session.frame header: ${describeIssues(header.error)}.`);
      }
      const { id, sessionId, timestampMs } = header.data;
      return run(id, 'session.frame', { sessionId, timestampMs, jpeg: frame.jpeg });
    }
    let message: unknown;
    try {
      message = JSON.parse(Buffer.from(bytes).toString('utf8'));
    } catch {
      return refuse(null, 'A text message must be JSON: {"id", "channel", "payload"}.');
    }
    const request = wsRequestSchema.safeParse(message);
    if (!request.success) {
      const id = (message as { id?: unknown })?.id;
      return refuse(typeof id === 'number' ? id : null, `Invalid request: ${describeIssues(request.error)}.`);
    }
    const { id, channel, payload } = request.data;
    run(id, channel, payload);
  });
  ws.on('close', () => {
    unsubscribe();
    void service.disconnect(clientId);
  });
  ws.on('error', () => ws.terminate());
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

async function serveStatic(
  rendererDir: string,
  origin: HostOrigin,
  launchToken: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return sendJson(response, 405, origin, { code: 'INVALID_ARGUMENT', message: 'Only GET and HEAD are served.' });
  }
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://kiosk').pathname);
  } catch {
    return sendJson(response, 400, origin, { code: 'INVALID_ARGUMENT', message: 'The path is not valid.' });
  }
  if (pathname === '/' || pathname === '') pathname = '/index.html';
  const file = resolve(rendererDir, `.${pathname}`);
  if (file !== rendererDir && !file.startsWith(rendererDir + sep)) {
    return sendJson(response, 404, origin, { code: 'NOT_FOUND', message: 'No such file.' });
  }
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) return sendJson(response, 404, origin, { code: 'NOT_FOUND', message: 'No such file.' });
  const contentType = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  if (extname(file).toLowerCase() === '.html') {
    // The page carries the per-launch secret; it must never be cached where another process could read it.
    const page = withLaunchToken(await readFile(file, 'utf8'), launchToken);
    response.writeHead(200, {
      ...securityHeaders(origin),
      'Content-Type': contentType,
      'Content-Length': Buffer.byteLength(page),
      'Cache-Control': 'no-store',
    });
    return void response.end(request.method === 'HEAD' ? undefined : page);
  }
  response.writeHead(200, { ...securityHeaders(origin), 'Content-Type': contentType, 'Content-Length': info.size });
  if (request.method === 'HEAD') return void response.end();
  createReadStream(file).pipe(response);
}

async function serveMetrics(
  metrics: NonNullable<KioskHostOptions['metrics']>,
  origin: HostOrigin,
  response: ServerResponse,
): Promise<void> {
  try {
    const text = await metrics.render();
    response.writeHead(200, { ...securityHeaders(origin), 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' });
    response.end(text);
  } catch (err) {
    logger('host').error({ err }, 'metrics could not be rendered');
    sendJson(response, 500, origin, { code: 'INTERNAL', message: 'The metrics could not be rendered.' });
  }
}

/** The page with the secret in a meta tag (no script needed, so the CSP stays as strict). */
function withLaunchToken(html: string, launchToken: string): string {
  const meta = `<meta name="${LAUNCH_TOKEN_META}" content="${launchToken}">`;
  return /<head[^>]*>/i.test(html) ? html.replace(/<head[^>]*>/i, (head) => `${head}${meta}`) : `${meta}${html}`;
}

function sendJson(response: ServerResponse, status: number, origin: HostOrigin, error: { code: string; message: string }): void {
  const body = JSON.stringify({ ok: false, error });
  response.writeHead(status, { ...securityHeaders(origin), 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}
