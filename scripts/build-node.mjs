// `npm run build:node`: compiles the `liveness` command (CLI, kiosk service, central server) and the inference
// worker to JavaScript in out/node/cli/, so production starts without compiling TypeScript (bin/liveness.mjs
// prefers this output while it is newer than every file under src/). Dependencies stay external (node_modules).
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// Three folders deep like src/<area>/<module>/, so code that finds the repository from its own file still does.
// An explicit folder (first argument) is for the test that runs the compiled output.
const outdir = process.argv[2] ? resolve(process.argv[2]) : resolve(root, 'out', 'node', 'cli');

rmSync(outdir, { recursive: true, force: true });
const started = Date.now();
await build({
  absWorkingDir: root,
  // The worker and the model thread are entries of their own: the engine starts them by file (beside its chunk).
  entryPoints: {
    main: 'src/cli/main.ts',
    worker: 'src/node/engine/worker.ts',
    'split-batch-thread': 'src/node/engine/split-batch-thread.ts',
  },
  outdir,
  bundle: true,
  splitting: true,
  chunkNames: '[name]-[hash]',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
writeFileSync(resolve(outdir, 'BUILT'), `${new Date().toISOString()}\n`);
console.log(`build:node: ${outdir}/main.js, worker.js and split-batch-thread.js in ${Date.now() - started} ms`);
