// `liveness bench` end to end on a few real frames: writes its JSON result, and against a previous result that was
// faster prints a slowdown warning while still exiting 0 (a warning, never a failure).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { MIN_COMPARABLE_MS } from '../../src/cli/bench/history';
import { DEFAULT_BLOCK_FRAMES } from '../../src/cli/bench/schedule';

const run = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** `liveness bench` on two frames, without the reference, the peer, the probes, int8 or the worker trip. */
const quickBench = (...extra: string[]) =>
  run(
    process.execPath,
    [
      path.join(repoRoot, 'bin', 'liveness.mjs'),
      'bench',
      '--frames',
      '2',
      '--no-reference',
      '--no-peer',
      '--no-probes',
      '--no-int8',
      '--worker-frames',
      '0',
      ...extra,
    ],
    { cwd: repoRoot, maxBuffer: 16 << 20 },
  );
let dir = '';
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('liveness bench', () => {
  it('writes its result and warns, without failing, about every figure slower than the previous result', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'liveness-bench-'));
    const out = path.join(dir, 'bench.json');
    // A previous result no real pipeline can match: every stage "took" the shortest median the history compares.
    const fast = { median_ms: MIN_COMPARABLE_MS, p95_ms: MIN_COMPARABLE_MS };
    const previous = {
      measured_at: '2026-01-01T00:00:00.000Z',
      block_frames: DEFAULT_BLOCK_FRAMES,
      pipeline: fast,
      stages: { landmarks: fast },
    };
    await writeFile(out, JSON.stringify(previous));
    const args = ['bench', '--frames', '3', '--no-reference', '--no-peer', '--no-probes', '--worker-frames', '0', '--out', out, '--json'];
    const { stdout, stderr } = await run(process.execPath, [path.join(repoRoot, 'bin', 'liveness.mjs'), ...args], {
      cwd: repoRoot,
      maxBuffer: 16 << 20,
    });
    expect(stderr).toMatch(
      /bench: warning: pipeline median [\d.]+ ms is \d+% slower than the previous result \(2026-01-01T00:00:00.000Z\), 0.5 ms/,
    );
    expect(stderr).toMatch(/bench: warning: stages\.landmarks median/);
    const printed = JSON.parse(stdout.trim().split('\n').pop() ?? '{}');
    const written = JSON.parse(await readFile(out, 'utf8'));
    expect(written.frames).toBe(3);
    expect(written.block_frames).toBe(DEFAULT_BLOCK_FRAMES);
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
    const fast = { median_ms: MIN_COMPARABLE_MS, p95_ms: MIN_COMPARABLE_MS };
    // A result from before block_frames existed was measured frame by frame: --block 1 is the same schedule.
    const baselineText = JSON.stringify({ measured_at: '2026-02-02T00:00:00.000Z', pipeline: fast });
    await writeFile(baseline, baselineText);
    const out = path.join(dir, 'ci-bench.json');
    const { stderr } = await quickBench('--block', '1', '--out', out, '--baseline', baseline);
    expect(stderr).toMatch(
      /bench: warning: pipeline median [\d.]+ ms is \d+% slower than the previous result \(2026-02-02T00:00:00.000Z\)/,
    );
    const written = JSON.parse(await readFile(out, 'utf8'));
    expect(written.history.compared_with).toBe(baseline);
    expect(written.block_frames).toBe(1);
    expect(written.int8).toBeNull();
    expect(await readFile(baseline, 'utf8')).toBe(baselineText);
  }, 300_000);
  it('does not compare with a result measured in other turns, and says so instead of warning', async () => {
    const previousFile = path.join(dir, 'frame-by-frame.json');
    const fast = { median_ms: MIN_COMPARABLE_MS, p95_ms: MIN_COMPARABLE_MS };
    await writeFile(previousFile, JSON.stringify({ measured_at: '2026-03-03T00:00:00.000Z', block_frames: 1, pipeline: fast }));
    const out = path.join(dir, 'blocks.json');
    const { stderr } = await quickBench('--block', '2', '--out', out, '--baseline', previousFile);
    expect(stderr).not.toMatch(/bench: warning:/);
    expect(stderr).toMatch(
      /bench: not compared with .*frame-by-frame\.json \(2026-03-03T00:00:00\.000Z\): the previous result was measured in turns of 1 frame\(s\) per runtime, this one in turns of 2/,
    );
    const written = JSON.parse(await readFile(out, 'utf8'));
    expect(written.history).toMatchObject({ slowed: [], not_compared: expect.stringMatching(/turns of 1 frame/) });
  }, 300_000);

  it('names its CPU, and does not compare with a result from another machine', async () => {
    const previousFile = path.join(dir, 'other-machine.json');
    const fast = { median_ms: MIN_COMPARABLE_MS, p95_ms: MIN_COMPARABLE_MS };
    const previous = {
      measured_at: '2026-04-04T00:00:00.000Z',
      block_frames: DEFAULT_BLOCK_FRAMES,
      cpu: 'Another CPU',
      pipeline: fast,
    };
    await writeFile(previousFile, JSON.stringify(previous));
    const out = path.join(dir, 'machine.json');
    const { stderr } = await quickBench('--out', out, '--baseline', previousFile);
    expect(stderr).not.toMatch(/bench: warning:/);
    expect(stderr).toMatch(
      /bench: not compared with .*other-machine\.json \(2026-04-04T00:00:00\.000Z\): the previous result was measured on another machine \(Another CPU/,
    );
    const written = JSON.parse(await readFile(out, 'utf8'));
    expect(written).toMatchObject({ cpu: cpus()[0].model, cores: expect.any(Number), frames: 2 });
    expect(written.history).toMatchObject({ slowed: [], not_compared: expect.stringMatching(/another machine/) });
  }, 300_000);

  it('runs the bench in several fresh processes and writes the median of their figures', async () => {
    const previousFile = path.join(dir, 'one-run.json');
    const fast = { median_ms: MIN_COMPARABLE_MS, p95_ms: MIN_COMPARABLE_MS };
    await writeFile(
      previousFile,
      JSON.stringify({ measured_at: '2026-05-05T00:00:00.000Z', block_frames: DEFAULT_BLOCK_FRAMES, pipeline: fast }),
    );
    const out = path.join(dir, 'runs.json');
    const { stdout, stderr } = await quickBench('--runs', '2', '--out', out, '--baseline', previousFile, '--json');
    const perRun = [...stderr.matchAll(/bench: run (\d) of 2 \(a fresh process\): still median ([\d.]+) ms/g)].map((m) => Number(m[2]));
    expect(perRun).toHaveLength(2);
    const written = JSON.parse(await readFile(out, 'utf8'));
    expect(JSON.parse(stdout.trim().split('\n').pop() ?? '{}').pipeline).toEqual(written.pipeline);
    expect(written).toMatchObject({ runs: 2, frames: 2, cpu: cpus()[0].model });
    // Two runs: the mean of the two, to 0.01.
    expect(written.pipeline.median_ms).toBeCloseTo((perRun[0] + perRun[1]) / 2, 1);
    expect(stderr).toMatch(/bench: median of the 2 runs: still [\d.]+ ms/);
    // One run is not held to the median of two.
    expect(stderr).toMatch(/bench: not compared with .*one-run\.json .*the median of 1 run\(s\), this one of 2/);
  }, 300_000);

  it('measures the figures users plan with, each probe in a fresh process: model load, RSS, decision latency, guidance', async () => {
    const out = path.join(dir, 'probes.json');
    const args = ['bench', '--frames', '2', '--no-reference', '--no-peer', '--no-int8', '--worker-frames', '0', '--probe-frames', '400'];
    await run(process.execPath, [path.join(repoRoot, 'bin', 'liveness.mjs'), ...args, '--out', out], {
      cwd: repoRoot,
      maxBuffer: 16 << 20,
    });
    const written = JSON.parse(await readFile(out, 'utf8'));
    expect(written.model_load_ms).toMatchObject({ engine: expect.any(Number), kiosk_service: expect.any(Number) });
    expect(written.model_load_ms.engine).toBeGreaterThan(0);
    for (const memory of [written.memory.engine, written.memory.kiosk_service]) {
      expect(memory).toMatchObject({ frames: 400, grows: expect.any(Boolean), tolerance_mb: expect.any(Number) });
      expect(memory.samples.map((s: { frames: number }) => s.frames)).toEqual([100, 200, 300, 400]);
      expect(memory.rss_mb_at_end).toBeGreaterThan(0);
    }
    for (const mode of ['passive', 'active', 'flash', 'action_flash']) {
      expect(written.decision_latency[mode].n).toBeGreaterThan(0);
    }
    // Every frame offered at 30 fps for 10 s either analysed or dropped while the engine was busy, none lost.
    const g = written.guidance_cpu;
    expect(g.frames_offered).toBe(300);
    expect(g.frames_analysed + g.frames_dropped_busy).toBe(g.frames_offered);
    expect(g.cpu_ms_per_analysed_frame).toBeGreaterThan(0);
  }, 300_000);

  it('refuses a block of no frames, or no runs, with a usage message', async () => {
    const bench = run(process.execPath, [path.join(repoRoot, 'bin', 'liveness.mjs'), 'bench', '--block', '0'], { cwd: repoRoot });
    await expect(bench).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/--block is a number of frames, 1 or more/) });
    const noRuns = run(process.execPath, [path.join(repoRoot, 'bin', 'liveness.mjs'), 'bench', '--runs', '0'], { cwd: repoRoot });
    await expect(noRuns).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/--runs is a number of bench processes, 1 or more/),
    });
  }, 60_000);
});
