// Structured logs (pino, JSON lines) for the server, the kiosk service and the CLI's long-running commands.
// Faces, embeddings and secrets never reach a log line: known fields are redacted, and binary values are replaced.
import pino, { type Logger, type LoggerOptions } from 'pino';

/** Field paths that may carry biometric data or secrets, wherever they appear in a logged object. */
export const REDACTED_PATHS = [
  'user_image', 'ref_image', 'image', 'images', 'reference_image', 'embedding', 'embeddings', 'frame', 'frames',
  'pin', 'newPin', 'currentPin', 'password', 'token', 'enrol_token', 'api_key', 'apiKey', 'secret', 'private_key',
  'req.headers["x-api-key"]', 'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-signature"]',
  'req.headers["x-csrf-token"]', 'res.headers["set-cookie"]',
].flatMap((path) => (path.includes('.') || path.includes('[') ? [path] : [path, `*.${path}`]));

export interface LogOptions {
  /** pino level name; LIVENESS_LOG_LEVEL overrides; default info. */
  level?: string;
  /** Component name put on every line (server, kiosk, sync). */
  name: string;
  /** Where lines go (tests pass a stream); default stdout. */
  destination?: pino.DestinationStream;
}

/** Typed arrays and Buffers are bytes of an image or an embedding: log their size, never their content. */
function scrubBinary(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  if (value instanceof ArrayBuffer) return `[${value.byteLength} bytes]`;
  return value;
}

export function createLogger(options: LogOptions): Logger {
  const config: LoggerOptions = {
    name: options.name,
    level: process.env.LIVENESS_LOG_LEVEL ?? options.level ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    formatters: {
      log: (object) => Object.fromEntries(Object.entries(object).map(([key, value]) => [key, scrubBinary(value)])),
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}
