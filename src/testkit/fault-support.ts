// Shared by the sync/fault tests and tools/fault-report.ts: decisions to record, child processes, ports.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createNetServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LivenessResult } from '../shared/result';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A deterministic PRNG (mulberry32) so kill schedules repeat run to run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STATUS_BY_SCORE = (score: number): LivenessResult['status'] => (score >= 75 ? 'Approved' : score >= 50 ? 'In Review' : 'Declined');

/** A valid result as the kiosk would produce it (tests construct them; the engine is not needed to test sync). */
export function makeResult(sessionId: string, score = 88, mode: LivenessResult['liveness_mode'] = 'passive'): LivenessResult {
  const status = STATUS_BY_SCORE(score);
  return {
    session_id: sessionId,
    created_at: new Date().toISOString(),
    liveness_mode: mode,
    liveness_score: score,
    liveness_passed: score >= 75,
    liveness_threshold: 75,
    challenges_completed: mode === 'active' ? ['head_left', 'smile'] : [],
    challenge_sequence: mode === 'active' ? ['head_left', 'smile'] : [],
    flash_sequence:
      mode === 'flash'
        ? {
            seed: 'abc',
            steps: [
              { rgb: [255, 0, 0], durationMs: 100 },
              { rgb: [0, 0, 255], durationMs: 100 },
            ],
          }
        : null,
    frames_captured: mode === 'passive' ? 1 : 10,
    pose_variation_score: mode === 'active' ? 70 : null,
    expression_variation_score: mode === 'active' ? 65 : null,
    passive_score: score,
    flash_score: null,
    planar_score: null,
    status,
    warnings: score < 75 ? ['LOW_LIVENESS_SCORE'] : [],
    feedback_codes: [],
    attempts_used: 1,
    max_attempts: 3,
    face_quality: 80,
    face_luminance: 55,
    reference_image: { mime: 'image/jpeg', width: 8, height: 8, frameIndex: 0 },
    model_versions: { pad: 'test@0 0000' },
  };
}

/** A real (tiny) JPEG: SOI, a minimal header, EOI. Valid JPEG magic is all the store and server check. */
export function tinyJpeg(seed: number): Buffer {
  const body = Buffer.alloc(64);
  for (let i = 0; i < body.length; i++) body[i] = (seed * 31 + i * 7) & 0xff;
  return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), body, Buffer.from([0xff, 0xd9])]);
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export interface ChildRun {
  child: ChildProcess;
  stdout: string[];
  stderr: string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Run a TypeScript entry (through tsx) as a child process, collecting stdout lines. */
export function spawnTs(script: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildRun {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: ChildRun = { child, stdout: [], stderr: '', exit: Promise.resolve({ code: null, signal: null }) };
  let buffer = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    run.stdout.push(...lines);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    run.stderr += chunk;
  });
  run.exit = new Promise((resolveExit) => {
    child.once('exit', (code, signal) => {
      if (buffer) run.stdout.push(buffer);
      resolveExit({ code, signal });
    });
  });
  return run;
}

/** Resolve once a line matching `pattern` appears on the child's stdout (or reject when it exits first). */
export async function waitForLine(run: ChildRun, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void run.exit.then(() => {
    exited = true;
  });
  for (;;) {
    const line = run.stdout.find((l) => pattern.test(l));
    if (line) return line;
    if (exited) throw new Error(`child exited before printing ${pattern}: ${run.stderr.slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}: ${run.stderr.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const cliPath = resolve(repoRoot, 'bin/liveness.mjs');

/** Run the `liveness` CLI to completion. */
export async function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cliPath, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  return { code, stdout, stderr };
}
