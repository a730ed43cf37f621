// `liveness kiosk`: the browser-kiosk host (the renderer plus the kiosk API over a WebSocket) for a browser in kiosk mode.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CodedError } from '../../shared/errors';
import { parseCommandArgs } from '../args';
import { RENDERER_OUT, buildRenderer, rendererIsBuilt } from '../../node/host/renderer-build';

export const summary = 'serve the kiosk UI and its API to a browser in kiosk mode';

const HELP = `usage: liveness kiosk [--port 8080] [--host 127.0.0.1] [--db data/kiosk.sqlite] [--config path]
                      [--renderer-dir out/renderer] [--rebuild] [--test-seed] [--allow-fake-camera]
                      [--server URL [--enrol-token TOKEN]]
                      [--pack-recipient calibration.pub.pem [--site ID] [--pack-dir DIR]]

Serves the kiosk page and its API (WebSocket ${'/api/ws'}) to a browser on this machine, e.g.
  chromium --kiosk --app=http://127.0.0.1:8080/

  --port N          TCP port (0 picks a free one); default 8080
  --host H          address to bind; default 127.0.0.1 (keep it local: the API trusts its own origin only)
  --db PATH         SQLite decision queue; default data/kiosk.sqlite
  --config PATH     kiosk state JSON (staff PIN hash, signed workflow, language); default kiosk-config.json beside --db
  --provision FILE  apply the provisioning the central service issued this kiosk (staff PIN hash, workflow key,
                    signed workflow) before serving; the kiosk has no staff PIN until it is provisioned
  --renderer-dir D  built renderer to serve; default out/renderer (built with vite when missing)
  --rebuild         build the renderer even when it is already built
  --test-seed       accept a fixed test seed in session.start (tests only; also LIVENESS_KIOSK_TEST_SEED=1)
  --allow-fake-camera  accept Chromium's fake capture device (development only; a provisioned kiosk refuses it)
  --server URL      central API to sync decisions to whenever it is reachable; env LIVENESS_SERVER_URL
  --enrol-token T   one-time enrolment token for that server (first run only); env LIVENESS_ENROL_TOKEN
  --pack-recipient F  turns on pilot capture in staff mode: capture packs are sealed to this X25519 public key
                    (\`liveness calibrate keygen\`); the kiosk cannot open them. See docs/capture-pack.md
  --site ID         site name written into capture packs (default: this machine's host name)
  --pack-dir DIR    where capture packs are written; default capture-packs/ beside --db

There is no default staff PIN: staff mode opens only on a kiosk provisioned by the central service.`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    argv,
    {
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      db: { type: 'string', default: 'data/kiosk.sqlite' },
      config: { type: 'string' },
      'renderer-dir': { type: 'string' },
      rebuild: { type: 'boolean', default: false },
      'test-seed': { type: 'boolean', default: false },
      'allow-fake-camera': { type: 'boolean', default: false },
      server: { type: 'string' },
      'enrol-token': { type: 'string' },
      'pack-recipient': { type: 'string' },
      site: { type: 'string' },
      'pack-dir': { type: 'string' },
      provision: { type: 'string' },
    },
    HELP,
  );
  if (!parsed) return 0;
  const { values } = parsed;
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new CodedError('INVALID_ARGUMENT', `--port must be 0-65535, not "${values.port}".`);

  const rendererDir = resolve(values['renderer-dir'] ?? RENDERER_OUT);
  if (values.rebuild || !rendererIsBuilt(rendererDir)) {
    console.log(`kiosk: building the renderer into ${rendererDir} (vite build)`);
    try {
      await buildRenderer(rendererDir);
    } catch (err) {
      throw new CodedError(
        'INTERNAL',
        `The renderer could not be built (${(err as Error).message}). Build it with \`npx electron-vite build\` and retry.`,
      );
    }
  }

  const allowTestSeed = values['test-seed'] || process.env.LIVENESS_KIOSK_TEST_SEED === '1';
  const [{ composeKiosk }, { startKioskHost }] = await Promise.all([import('../../node/kiosk/compose'), import('../../node/host/server')]);
  const serverUrl = values.server ?? process.env.LIVENESS_SERVER_URL;
  const enrolToken = values['enrol-token'] ?? process.env.LIVENESS_ENROL_TOKEN;
  const sync = serverUrl ? { serverUrl, enrolToken } : undefined;
  const pilot = values['pack-recipient'] ? await pilotOptions(values['pack-recipient'], values.site, values['pack-dir']) : undefined;
  const kiosk = await composeKiosk(
    { dbPath: values.db, configPath: values.config },
    { allowTestSeed, allowFakeCamera: values['allow-fake-camera'], sync, pilot },
  );
  if (pilot) console.log(`kiosk: pilot capture is on for site "${pilot.siteId}" (packs sealed to ${values['pack-recipient']})`);
  if (values.provision) {
    try {
      kiosk.provision(JSON.parse(readFileSync(values.provision, 'utf8')));
    } catch (err) {
      await kiosk.close();
      if (err instanceof CodedError) throw err;
      throw new CodedError('INVALID_ARGUMENT', `The provisioning file ${values.provision} could not be read as JSON.`);
    }
    console.log('kiosk: provisioning applied');
  }
  const host = await startKioskHost({ service: kiosk.service, metrics: kiosk.metrics, rendererDir, host: values.host, port });
  if (allowTestSeed) console.log('kiosk: test seeds are accepted (--test-seed): never use this on a kiosk that serves people');
  console.log(`kiosk: serving ${host.url} (API ws://${values.host}:${host.port}/api/ws); Ctrl-C to stop`);
  console.log(
    sync
      ? `kiosk: syncing decisions to ${sync.serverUrl} when it is reachable`
      : 'kiosk: no --server: decisions stay in the local queue (liveness sync sends them)',
  );

  await new Promise<void>((resolvePromise) => {
    const stop = () => resolvePromise();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await host.close();
  await kiosk.close();
  return 0;
}

async function pilotOptions(recipientFile: string, site: string | undefined, dir: string | undefined) {
  const [{ readFile }, { hostname }] = await Promise.all([import('node:fs/promises'), import('node:os')]);
  let recipientPem: string;
  try {
    recipientPem = await readFile(recipientFile, 'utf8');
  } catch (err) {
    throw new CodedError('FILE_NOT_FOUND', `The pack recipient key ${recipientFile} cannot be read.`, { cause: err });
  }
  const siteId = site ?? hostname();
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(siteId))
    throw new CodedError('INVALID_ARGUMENT', `--site must be 1-64 letters, digits, ".", "_" or "-", not "${siteId}".`);
  return { recipientPem, siteId, ...(dir ? { dir } : {}) };
}
