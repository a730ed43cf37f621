// Structured logs (pino, JSON lines) for the server, the kiosk service, the sync loop and Electron main.
// Faces, embeddings and secrets never reach a log line: known fields are redacted, and binary values are replaced.
import pino, { type Logger, type LoggerOptions } from 'pino';

/** Field names that may carry biometric data or secrets, redacted at the top level and one level down. */
const SENSITIVE_FIELDS = [
  // Faces and images, in the names the server, the kiosk contract and the store use.
  'user_image',
  'ref_image',
  'image',
  'images',
  'reference_image',
  'referenceJpeg',
  'jpeg',
  'frame',
  'frames',
  'face',
  'faces',
  'photo',
  // Embeddings and face descriptors.
  'embedding',
  'embeddings',
  'descriptor',
  'descriptors',
  'template',
  // PINs, passwords, tokens and keys.
  'pin',
  'newPin',
  'currentPin',
  'pinHash',
  'password',
  'token',
  'staffToken',
  'enrol_token',
  'enrolToken',
  'launchToken',
  'launchSecret',
  'api_key',
  'apiKey',
  'secret',
  'private_key',
  'privateKey',
  'secretKey',
  'imageKey',
  'sealedKey',
  'cookie',
  'authorization',
];

/** Field paths that may carry biometric data or secrets, wherever they appear in a logged object. */
export const REDACTED_PATHS = [
  ...SENSITIVE_FIELDS,
  'req.headers["x-api-key"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-signature"]',
  'req.headers["x-csrf-token"]',
  'req.headers["sec-websocket-protocol"]',
  'res.headers["set-cookie"]',
].flatMap((path) => (path.includes('.') || path.includes('[') ? [path] : [path, `*.${path}`]));

export interface LogOptions {
  /** pino level name; LIVENESS_LOG_LEVEL overrides; default info. */
  level?: string;
  /** Component name put on every line (server, kiosk, sync, main). */
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
    serializers: { err: pino.stdSerializers.err },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

/** A JSON-lines file, appended synchronously so the line that explains a crash is on disk before the crash. */
export function fileDestination(path: string): pino.DestinationStream {
  return pino.destination({ dest: path, mkdir: true, sync: true, append: true });
}

// The process-wide logger of the kiosk side (service, sync, host, Electron main). Default: stderr, so JSON lines never
// mix with a CLI command's answer on stdout; Electron main points it at a file in the app's log folder.
let processLogger: Logger | null = null;
const components = new Map<string, Logger>();

/** Points every component logger of this process at one destination (call once, before the kiosk starts). */
export function configureProcessLogger(options: { destination?: pino.DestinationStream; level?: string } = {}): Logger {
  processLogger = createLogger({ name: 'liveness', level: options.level, destination: options.destination ?? pino.destination(2) });
  components.clear();
  return processLogger;
}

/** The logger of one component (`kiosk`, `sync`, `host`, `main`): its lines carry `component`. */
export function logger(component: string): Logger {
  let child = components.get(component);
  if (!child) {
    child = (processLogger ?? configureProcessLogger()).child({ component });
    components.set(component, child);
  }
  return child;
}
