// `liveness face-eval` on the identity-labelled fixture photos, as a maintainer runs it: the table, the JSON summary
// and the HTML report with the DET curve (and no face image in it).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { fixturesDir, haveFixtures, repoRoot } from '../../src/testkit/fixtures';

const ready = haveFixtures && existsSync(resolve(repoRoot, 'models/faceres.onnx'));

describe.skipIf(!ready)(`liveness face-eval${ready ? '' : ' (SKIPPED: fixtures or models/faceres.onnx missing)'}`, () => {
  it('prints FNMR at FMR 1e-2/1e-3/1e-4 for 54 photos of 19 people and writes a DET report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'face-eval-'));
    try {
      const report = join(dir, 'face-eval.html');
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [join(repoRoot, 'bin/liveness.mjs'), 'face-eval', fixturesDir, '--json', '--report', report],
        { cwd: repoRoot, maxBuffer: 8 * 1024 * 1024 },
      );
      const summary = JSON.parse(stdout.trim().split('\n').pop()!);
      expect(summary).toMatchObject({ photos: 54, people: 19, genuinePairs: 68, impostorPairs: 1363, missed: [] });
      expect(summary.operatingPoints.map((p: { targetFmr: number; resolvable: boolean }) => [p.targetFmr, p.resolvable])).toEqual([
        [0.01, true],
        [0.001, true],
        [0.0001, false],
      ]);
      expect(summary.eer).toBeLessThan(0.1);
      expect(stdout).toMatch(/\| 0\.001 \|/);
      const html = readFileSync(report, 'utf8');
      expect(html).toMatch(/<svg[^>]+aria-label="DET curve/);
      expect(html).not.toMatch(/<img|data:image/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
