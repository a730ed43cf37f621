// `liveness server`: the central API on SQLite (default) or PostgreSQL, until SIGTERM/SIGINT.
import { randomBytes } from 'node:crypto';
import { CodedError } from '../../shared/errors';
import { parseCommandArgs } from '../args';
import { createServer } from '../../server/app';
import { ensureConsoleBuilt } from '../../server/console/build';
import type { WebhookTarget } from '../../server/storage';
import { createLogger } from '../../node/logging';

export const summary = 'the central API that kiosks sync to';

const HELP = `usage: liveness server [--port 8787] [--host 127.0.0.1] [--db file.sqlite | --database-url postgres://…]
                       [--api-key KEY] [--enrol-token TOKEN]… [--webhook URL=SECRET]… [--image-key-file FILE]
                       [--build-console]

  --db FILE            SQLite database (default liveness-server.sqlite)
  --database-url URL   PostgreSQL instead (several instances may share it); env LIVENESS_DATABASE_URL
  --image-key-file FILE  32-byte key (0600) sealing reference images at rest; env LIVENESS_IMAGE_KEY_FILE. Required
                       with PostgreSQL (the same file on every instance); SQLite default: <db>.image-key, made on first
                       start. Keep it apart from database backups: the server refuses to start without the right key
  --api-key KEY        key integrators send as x-api-key; env LIVENESS_API_KEY (a random one is made and printed if absent)
  --enrol-token TOKEN  one-time kiosk enrolment token (repeatable); env LIVENESS_ENROL_TOKENS (comma-separated)
  --webhook URL=SECRET session.status.updated subscriber, signed with HMAC-SHA256 (repeatable)
  --build-console      build the business console (served at /console) before starting; needs vite`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    argv,
    {
      port: { type: 'string', default: '8787' },
      host: { type: 'string', default: '127.0.0.1' },
      db: { type: 'string' },
      'database-url': { type: 'string' },
      'api-key': { type: 'string' },
      'image-key-file': { type: 'string' },
      'enrol-token': { type: 'string', multiple: true },
      webhook: { type: 'string', multiple: true },
      'build-console': { type: 'boolean', default: false },
    },
    HELP,
  );
  if (!parsed) return 0;
  const { values } = parsed;
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new CodedError('INVALID_ARGUMENT', '--port must be a port number (0-65535).');
  const databaseUrl = values['database-url'] ?? process.env.LIVENESS_DATABASE_URL;
  if (values.db && databaseUrl)
    throw new CodedError('INVALID_ARGUMENT', 'Use either --db (SQLite) or --database-url (PostgreSQL), not both.');
  let apiKey = values['api-key'] ?? process.env.LIVENESS_API_KEY ?? '';
  if (!apiKey) {
    apiKey = randomBytes(18).toString('base64url');
    console.log(`api key (generated for this run; pass --api-key to fix it): ${apiKey}`);
  }
  const enrolTokens = [
    ...(values['enrol-token'] ?? []),
    ...(process.env.LIVENESS_ENROL_TOKENS ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
  ];
  const webhooks: WebhookTarget[] = (values.webhook ?? []).map((spec) => {
    const at = spec.lastIndexOf('=');
    if (at <= 0) throw new CodedError('INVALID_ARGUMENT', '--webhook takes URL=SECRET.');
    const url = spec.slice(0, at);
    try {
      new URL(url);
    } catch {
      throw new CodedError('INVALID_ARGUMENT', `--webhook URL ${url} is not a URL.`);
    }
    return { url, secret: spec.slice(at + 1) };
  });

  const logger = createLogger({ name: 'server' });
  const imageKeyFile = values['image-key-file'] ?? process.env.LIVENESS_IMAGE_KEY_FILE;
  const server = await createServer({
    db: databaseUrl ? undefined : (values.db ?? 'liveness-server.sqlite'),
    databaseUrl,
    apiKey,
    enrolTokens,
    webhooks,
    logger,
    imageKeyFile,
  });
  const consoleState = await ensureConsoleBuilt(values['build-console'] === true);
  const address = await server.listen({ port, host: values.host });
  console.log(
    `liveness server listening on ${address} (${databaseUrl ? 'PostgreSQL' : `SQLite ${values.db ?? 'liveness-server.sqlite'}`})`,
  );
  console.log(
    consoleState === 'missing' || consoleState === 'unavailable'
      ? `business console: not built${consoleState === 'unavailable' ? ' (vite is not installed)' : ''}; start once with --build-console`
      : `business console: ${address}/console/ (first admin: liveness admin create --username NAME)`,
  );

  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      console.log(`liveness server: ${signal}, closing`);
      server.close().then(resolve, resolve);
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
  return 0;
}
