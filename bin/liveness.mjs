#!/usr/bin/env node
// The `liveness` command. Production runs the compiled JavaScript from `npm run build:node` (out/node/cli/); in a
// checkout whose sources changed since that build, or without it, the TypeScript sources run through tsx.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'out', 'node', 'cli', 'main.js');

/** The newest modification time under a folder (sources are a few hundred files: a few ms). */
function newestUnder(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestUnder(file) : statSync(file).mtimeMs);
  }
  return newest;
}

function useCompiled() {
  if (process.env.LIVENESS_FROM_SOURCE === '1' || !existsSync(compiled)) return false;
  const sources = join(root, 'src');
  // A packaged install ships no sources; a checkout edited after the build must not run the stale output.
  return !existsSync(sources) || newestUnder(sources) <= statSync(compiled).mtimeMs;
}

let main;
if (useCompiled()) {
  ({ main } = await import(pathToFileURL(compiled).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
const code = await main(process.argv.slice(2));
// Exit once output is flushed: a command has finished its work, so a lingering handle (a worker, a socket a failed
// step left open) must not keep the process alive.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
