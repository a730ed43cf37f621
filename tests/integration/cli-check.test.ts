// The real `liveness check` CLI in a child process, on a genuine photo and on bad files.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir, repoRoot } from '../../src/testkit/fixtures';

const genuine = path.join(fixturesDir, 'ageitgey__face_recognition/examples/obama.jpg');

/** Runs the CLI; a process still alive after `killAfterMs` is killed and reported as `hung` (the bug, not a timing). */
function cli(args: string[], killAfterMs = 120_000): Promise<{ code: number; stdout: string; stderr: string; hung: boolean }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(repoRoot, 'bin/liveness.mjs'), ...args],
      { cwd: repoRoot, timeout: killAfterMs },
      (err, stdout, stderr) => {
        const hung = Boolean(err && (err as { killed?: boolean }).killed);
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr, hung });
      },
    );
  });
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'liveness-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('liveness check', () => {
  // The README's headline: this genuine photo is Approved (a regression guard, in-sample for the PAD fusion).
  it('approves the README headline genuine photo with a score at or above the default threshold, exit 0', async () => {
    const { code, stdout } = await cli(['check', genuine, '--json']);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]);
    expect(line.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(line.file).toBe(genuine);
    const l = line.liveness;
    expect(l.method).toBe('PASSIVE');
    expect(l.status).toBe('Approved');
    expect(Number.isInteger(l.score)).toBe(true);
    expect(l.score).toBeGreaterThanOrEqual(75);
    expect(l.score).toBeLessThanOrEqual(100);
    expect(l.user_image.entities).toHaveLength(1);
    expect(l.user_image.entities[0].bbox).toHaveLength(4);
    expect(l.user_image.best_angle).toBe(0);
    expect(l.warnings).not.toContain('NO_FACE_DETECTED');
    expect(l.face_quality).toBeGreaterThan(0);
    expect(l.face_luminance).toBeGreaterThan(0);
  });

  it('gives a PDF renamed .jpg a coded error, still checks the good file, and exits 2', async () => {
    const pdf = path.join(dir, 'passport.jpg');
    await writeFile(pdf, '%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n');
    const empty = path.join(dir, 'empty.png');
    await writeFile(empty, '');
    const { code, stdout } = await cli(['check', pdf, genuine, empty, '--json', '--threshold', '60']);
    expect(code).toBe(2);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toEqual({ file: pdf, error: { code: 'UNSUPPORTED_TYPE', message: expect.stringMatching(/PDF/) } });
    expect(lines[1].liveness.score).toEqual(expect.any(Number));
    expect(lines[2].error.code).toBe('FILE_EMPTY');
  });

  it('prints a readable table without --json', async () => {
    const { code, stdout, stderr } = await cli(['check', genuine]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/file\s+status\s+score/);
    expect(stdout).toMatch(/obama\.jpg\s+Approved\s+\d+/);
  });

  it('rejects a bad threshold as a usage error', async () => {
    const { code, stderr } = await cli(['check', genuine, '--threshold', '150']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/threshold/);
  });

  // Issue 9 reproductions: each of these used to hang or to move a file it did not own.
  it('answers a FIFO named as an image with NOT_A_FILE instead of waiting for a writer forever', async () => {
    const fifo = path.join(dir, 'camera.jpg');
    execFileSync('mkfifo', [fifo]);
    const { code, stdout, hung } = await cli(['check', fifo, '--json'], 60_000);
    expect(hung).toBe(false);
    expect(code).toBe(2);
    expect(JSON.parse(stdout.trim())).toEqual({
      file: fifo,
      error: { code: 'NOT_A_FILE', message: expect.stringMatching(/not a regular file/) },
    });
  });

  it('reports a --db in a folder that does not exist with FILE_NOT_FOUND and exits', async () => {
    const { code, stderr, hung } = await cli(['check', genuine, '--db', path.join(dir, 'no-such-dir', 'q.sqlite')], 60_000);
    expect(hung).toBe(false);
    expect(code).toBe(1);
    expect(stderr).toMatch(/FILE_NOT_FOUND: The folder for the database .* does not exist/);
    expect(stderr).not.toMatch(/INTERNAL/);
  });

  it('refuses a --db that points at a file that is not a kiosk database, and leaves it alone', async () => {
    const folder = await mkdtemp(path.join(dir, 'foreign-'));
    const notes = path.join(folder, 'notes.txt');
    await writeFile(notes, 'meeting notes\n');
    const { code, stderr, hung } = await cli(['check', genuine, '--db', notes], 60_000);
    expect(hung).toBe(false);
    expect(code).toBe(1);
    expect(stderr).toMatch(/DATABASE_FOREIGN/);
    expect(await readFile(notes, 'utf8')).toBe('meeting notes\n');
    expect(await readdir(folder)).toEqual(['notes.txt']);
  });
});
