// Production start: the `liveness` command compiled to JavaScript (npm run build:node) runs a check end to end,
// its inference worker included, without tsx in the process.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixtures = process.env.LIVENESS_FIXTURES ?? path.resolve(repoRoot, '..', 'shared', 'fixtures');
let outdir = '';

afterAll(async () => {
  if (outdir) await rm(outdir, { recursive: true, force: true });
});

describe('compiled production start', () => {
  it('builds the CLI, the worker and the model thread to JavaScript and checks a photo with them', async () => {
    // Beside the real output (same depth, inside the checkout): the compiled code finds node_modules and models/ from there.
    await mkdir(path.join(repoRoot, 'out', 'node'), { recursive: true });
    outdir = await mkdtemp(path.join(repoRoot, 'out', 'node', 'test-'));
    await run(process.execPath, [path.join(repoRoot, 'scripts', 'build-node.mjs'), outdir], { cwd: repoRoot });
    const files = await readdir(outdir);
    expect(files).toEqual(expect.arrayContaining(['main.js', 'worker.js', 'split-batch-thread.js']));
    const photo = path.join(fixtures, 'ageitgey__face_recognition/examples/obama.jpg');
    // What bin/liveness.mjs does with a fresh build; no tsx loader anywhere, so a .ts import would fail here.
    const runner = path.join(outdir, 'run.mjs');
    await writeFile(
      runner,
      `const { main } = await import(${JSON.stringify(pathToFileURL(path.join(outdir, 'main.js')).href)});
      process.exitCode = await main(process.argv.slice(2));`,
    );
    const { stdout } = await run(process.execPath, [runner, 'check', photo, '--json'], {
      cwd: repoRoot,
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    const result = JSON.parse(stdout.trim().split('\n').pop() ?? '{}');
    expect(result.liveness.status).toBe('Approved');
    expect(result.liveness.face_quality).toBeGreaterThan(50);
  }, 180_000);
});
