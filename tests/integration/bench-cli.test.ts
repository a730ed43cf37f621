// `liveness bench` end to end on a few real frames: writes its JSON result, and against a previous result that was
// faster prints a slowdown warning while still exiting 0 (a warning, never a failure).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let dir = '';
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('liveness bench', () => {
  it('writes its result and warns, without failing, about every figure slower than the previous result', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'liveness-bench-'));
    const out = path.join(dir, 'bench.json');
    // A previous result no real pipeline can match: every stage "took" 0.3 ms.
    const fast = { median_ms: 0.3, p95_ms: 0.3 };
    await writeFile(out, JSON.stringify({ measured_at: '2026-01-01T00:00:00.000Z', pipeline: fast, stages: { landmarks: fast } }));
    const args = ['bench', '--frames', '3', '--no-reference', '--no-peer', '--no-probes', '--worker-frames', '0', '--out', out, '--json'];
    const { stdout, stderr } = await run(process.execPath, [path.join(repoRoot, 'bin', 'liveness.mjs'), ...args], {
      cwd: repoRoot,
      maxBuffer: 16 << 20,
    });
    expect(stderr).toMatch(
      /bench: warning: pipeline median [\d.]+ ms is \d+% slower than the previous result \(2026-01-01T00:00:00.000Z\), 0.3 ms/,
    );
    expect(stderr).toMatch(/bench: warning: stages\.landmarks median/);
    const printed = JSON.parse(stdout.trim().split('\n').pop() ?? '{}');
    const written = JSON.parse(await readFile(out, 'utf8'));
    expect(written.frames).toBe(3);
    expect(written.pipeline.median_ms).toBe(printed.pipeline.median_ms);
    expect(written.history.slowed.map((s: { figure: string }) => s.figure)).toEqual(
      expect.arrayContaining(['pipeline', 'stages.landmarks']),
    );
    expect(written.peer).toBeNull();
    // The same engine with the iris model inline, timed on the same frames beside the one as shipped.
    expect(written.pipeline_iris_inline).toMatchObject({ median_ms: expect.any(Number), faces_found: written.faces_found });
    expect(written.pipeline_tracked_iris_inline).toMatchObject({ median_ms: expect.any(Number) });
    expect(typeof written.iris_thread).toBe('boolean');
    // The int8 section: each pipeline model quantized and compared with its float build on the inputs it was fed.
    expect(written.int8.models.facemesh).toMatchObject({ speedup: expect.any(Number), float_median_ms: expect.any(Number) });
    expect(written.int8.models.facemesh.max_abs_diff.output_mesh).toBeGreaterThan(0);
  }, 300_000);

  it('compares with a committed baseline file when given one (as CI does), leaving it untouched', async () => {
    const baseline = path.join(dir, 'baseline.json');
    const fast = { median_ms: 0.3, p95_ms: 0.3 };
    const baselineText = JSON.stringify({ measured_at: '2026-02-02T00:00:00.000Z', pipeline: fast });
    await writeFile(baseline, baselineText);
    const out = path.join(dir, 'ci-bench.json');
    const args = [
      'bench',
      '--frames',
      '2',
      '--no-reference',
      '--no-peer',
      '--no-probes',
      '--no-int8',
      '--worker-frames',
      '0',
      '--out',
      out,
      '--baseline',
      baseline,
    ];
    const { stderr } = await run(process.execPath, [path.join(repoRoot, 'bin', 'liveness.mjs'), ...args], {
      cwd: repoRoot,
      maxBuffer: 16 << 20,
    });
    expect(stderr).toMatch(
      /bench: warning: pipeline median [\d.]+ ms is \d+% slower than the previous result \(2026-02-02T00:00:00.000Z\)/,
    );
    const written = JSON.parse(await readFile(out, 'utf8'));
    expect(written.history.compared_with).toBe(baseline);
    expect(written.int8).toBeNull();
    expect(await readFile(baseline, 'utf8')).toBe(baselineText);
  }, 300_000);
});
