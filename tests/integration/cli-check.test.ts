// The real `liveness check` CLI in a child process, on a genuine photo and on bad files.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixtures = process.env.LIVENESS_FIXTURES ?? path.resolve(repoRoot, '..', 'shared', 'fixtures');
const genuine = path.join(fixtures, 'ageitgey__face_recognition/examples/obama.jpg');

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(repoRoot, 'bin/liveness.mjs'), ...args], { cwd: repoRoot, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
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
  it('prints a passive decision with a score for a genuine photo and exits 0', async () => {
    const { code, stdout } = await cli(['check', genuine, '--json']);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]);
    expect(line.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(line.file).toBe(genuine);
    const l = line.liveness;
    expect(l.method).toBe('PASSIVE');
    expect(['Approved', 'In Review', 'Declined']).toContain(l.status);
    expect(Number.isInteger(l.score)).toBe(true);
    expect(l.score).toBeGreaterThanOrEqual(0);
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
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l));
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
    expect(stdout).toMatch(/obama\.jpg\s+(Approved|In Review|Declined)\s+\d+/);
  });

  it('rejects a bad threshold as a usage error', async () => {
    const { code, stderr } = await cli(['check', genuine, '--threshold', '150']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/threshold/);
  });
});
