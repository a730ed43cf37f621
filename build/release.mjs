/* global process, console */
// `npm run release [-- --win|--mac|--linux ...]`: a signed release build. Checks the signing variables of every
// target platform before the long build starts, then runs electron-builder with forceCodeSigning (it fails if
// anything comes out unsigned) and LIVENESS_RELEASE=1 (build/release-guard.mjs refuses again per platform).
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSigning } from './release-guard.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const PLATFORM_FLAGS = { '--win': 'win32', '-w': 'win32', '--mac': 'darwin', '-m': 'darwin', '--linux': 'linux', '-l': 'linux' };
const platforms = [...new Set(args.filter((arg) => arg in PLATFORM_FLAGS).map((arg) => PLATFORM_FLAGS[arg]))];
const env = { ...process.env, LIVENESS_RELEASE: '1' };

try {
  for (const platform of platforms.length ? platforms : [process.platform]) checkSigning(platform, env);
} catch (err) {
  console.error(err.message);
  process.exit(1);
}

const run = (script, scriptArgs) => {
  const result = spawnSync(process.execPath, [resolve(root, 'node_modules', script), ...scriptArgs], { cwd: root, env, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};
const subject = env.WIN_CSC_SUBJECT_NAME ? [`-c.win.signtoolOptions.certificateSubjectName=${env.WIN_CSC_SUBJECT_NAME}`] : [];
run('electron-vite/bin/electron-vite.js', ['build']);
run('electron-builder/cli.js', ['--config', 'electron-builder.yml', '-c.forceCodeSigning=true', ...subject, ...args]);
