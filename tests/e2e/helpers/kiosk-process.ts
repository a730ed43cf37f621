// Runs `liveness kiosk` as a child process on an ephemeral port with a temporary database and config.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from './paths';
import { makeProvisioning } from '../../../src/testkit/kiosk-provisioning';
import type { Provisioning } from '../../../src/node/kiosk/provisioning';

export interface KioskProcess {
  url: string;
  port: number;
  dir: string;
  output(): string;
  stop(): Promise<void>;
}

/** The one-time staff PIN the test's stand-in for the central service issues at provisioning (there is no default). */
export const ISSUED_STAFF_PIN = '58203917';

export async function startKioskProcess(
  options: { testSeed?: boolean; extraArgs?: string[]; provisioning?: Provisioning } = {},
): Promise<KioskProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'liveness-e2e-kiosk-'));
  const provisionFile = join(dir, 'provisioning.json');
  writeFileSync(
    provisionFile,
    JSON.stringify(options.provisioning ?? (await makeProvisioning(ISSUED_STAFF_PIN, { pinMustChange: true })).provisioning),
  );
  const args = [
    resolve(REPO_ROOT, 'bin', 'liveness.mjs'),
    'kiosk',
    '--port',
    '0',
    '--db',
    join(dir, 'kiosk.sqlite'),
    '--config',
    join(dir, 'kiosk-config.json'),
    '--provision',
    provisionFile,
  ];
  if (options.testSeed) args.push('--test-seed');
  if (options.extraArgs) args.push(...options.extraArgs);
  const child: ChildProcess = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`liveness kiosk did not start within 120 s:\n${output}`)), 120_000);
    const check = () => {
      const match = /serving (http:\/\/[^\s]+\/)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolvePromise(match[1]);
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`liveness kiosk exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    port: Number(new URL(url).port),
    dir,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolvePromise) => child.once('exit', resolvePromise));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
