// Runs the real `liveness eval` CLI on a small labelled folder that points at a few fixture files (+ one missing).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const fixtures = process.env.LIVENESS_FIXTURES ?? path.resolve(repoRoot, '..', 'shared', 'fixtures');
const files = {
  realImage: 'serengil__deepface/tests/unit/dataset/img10.jpg',
  realCrop: 'Krzysiek354__Python_Face_Detection/dataset/real/0.png',
  spoofCrop: 'Krzysiek354__Python_Face_Detection/dataset/fake/0.png',
};
const haveFixtures = Object.values(files).every((f) => existsSync(path.join(fixtures, f)));
const haveModels = existsSync(path.join(repoRoot, 'models', 'manifest.json'));
const why = !haveFixtures ? 'fixtures absent' : 'models/*.onnx not built (run the model build first)';

describe.skipIf(!haveFixtures || !haveModels)(`liveness eval CLI (skipped only when ${why})`, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'liveness-eval-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('evaluates a labelled folder, reports the missing row and prints one JSON object last', () => {
    const abs = (f: string) => path.join(fixtures, f);
    const csv = [
      'path,label,kind,attack,source,licence,sha256,notes',
      `${abs(files.realImage)},real,image,-,a,MIT,x,"press photo, quoted comma"`,
      `${abs(files.realCrop)},real,crop,-,b,none,x,"crop, live"`,
      `${abs(files.spoofCrop)},spoof,crop,"replay/screen (phone, held up)",b,none,x,plain`,
      'does/not/exist.jpg,real,image,-,c,none,x,"missing, on purpose"',
      `${abs(files.realImage)},other,image,-,a,MIT,x,not scored`,
    ].join('\n');
    writeFileSync(path.join(dir, 'labels.csv'), `${csv}\n`);
    const report = path.join(dir, 'report.html');
    const result = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'liveness.mjs'), 'eval', dir, '--json', '--report', report], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 240_000,
    });
    // 2 = every row ran except one that could not be analysed (the missing file); never a crash.
    expect(result.status, result.stderr).toBe(2);
    const lines = result.stdout.trim().split('\n');
    const summary = JSON.parse(lines[lines.length - 1]);
    for (const key of [
      'n_real',
      'n_spoof',
      'threshold',
      'apcer',
      'bpcer',
      'acer',
      'face_found_rate',
      'apcer_at_bpcer15',
      'per_kind',
      'per_attack',
    ]) {
      expect(summary, key).toHaveProperty(key);
    }
    expect(summary.n_real).toBe(2);
    expect(summary.n_spoof).toBe(1);
    expect(summary.n_skipped_other).toBe(1);
    expect(summary.threshold).toBe(75);
    expect(summary.n_errors).toBe(1);
    expect(summary.errors[0]).toMatchObject({ path: 'does/not/exist.jpg', code: 'FILE_NOT_FOUND' });
    expect(Object.keys(summary.per_kind).sort()).toEqual(['crop', 'image']);
    expect(summary.per_attack).toHaveProperty('replay/screen');
    for (const rate of [summary.bpcer, summary.face_found_rate]) {
      expect(rate).toBeGreaterThanOrEqual(0);
      expect(rate).toBeLessThanOrEqual(1);
    }
    // These fixture files were in the fusion fit: eval must say so and carry the held-out CV figures.
    expect(summary.fusion.in_sample_units).toBe(2);
    expect(summary.fusion.held_out_cv).toHaveProperty('apcer_at_bpcer15');
    expect(result.stdout).toMatch(/IN-SAMPLE/);
    expect(result.stdout).toMatch(/does\/not\/exist\.jpg: FILE_NOT_FOUND/);

    const html = readFileSync(report, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<img|<link|<script|src=/i); // self-contained and free of images
  });

  it('fails with a usage error when the folder has no labels.csv', () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'liveness-eval-empty-'));
    const result = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'liveness.mjs'), 'eval', empty, '--json'], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 60_000,
    });
    rmSync(empty, { recursive: true, force: true });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/FILE_NOT_FOUND/);
  });
});
