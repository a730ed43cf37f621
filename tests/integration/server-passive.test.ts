// POST /v3/passive-liveness/ and `liveness check` on the same photos (bona fide, attacks, and a synthetic frame with
// no face) at the same threshold give the same answer: the server runs the kiosk's engine and decision, so status,
// score, faces, quality and warnings must match exactly. Skipped, saying why, when models or fixtures are missing.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import sharp from 'sharp';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createServer } from '../../src/server';
import { repoRoot } from '../../src/testkit/fault-support';
import { fixturesDir } from '../../src/testkit/synth/subject';

const fixtures = fixturesDir(repoRoot);
/** High enough that the toy-mask photo (94 at the time of writing) lands In Review rather than Approved. */
const THRESHOLD = '95';
const fixturePhotos = [
  'serengil__deepface/tests/unit/dataset/img10.jpg',
  'serengil__deepface/tests/unit/dataset/img11.jpg',
  'Jotriever__xai-face-anti-spoofing/data/samples/print/315460.jpg',
  'Jotriever__xai-face-anti-spoofing/data/samples/replay/166192.jpg',
  'Jotriever__xai-face-anti-spoofing/data/samples/toy/351692.jpg',
].map((path) => join(fixtures, path));
const ready = existsSync(resolve(repoRoot, 'models/manifest.json')) && fixturePhotos.every((photo) => existsSync(photo));

interface CliLine {
  file: string;
  liveness: {
    status: string;
    method: string;
    score: number;
    user_image: unknown;
    warnings: string[];
    face_quality: number;
    face_luminance: number;
  };
}

describe.skipIf(!ready)(
  `passive-liveness endpoint against \`liveness check\`${ready ? '' : ' (SKIPPED: models/manifest.json or the fixtures are missing; run liveness build-models, set LIVENESS_FIXTURES)'}`,
  () => {
    it('answers each photo exactly as the CLI does', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'liveness-passive-'));
      const blank = join(dir, 'no-face.png');
      writeFileSync(
        blank,
        await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 120, g: 130, b: 140 } } })
          .png()
          .toBuffer(),
      );
      const photos = [...fixturePhotos, blank];
      const cli = execFileSync(
        process.execPath,
        [resolve(repoRoot, 'bin/liveness.mjs'), 'check', ...photos, '--threshold', THRESHOLD, '--json'],
        { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
      )
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as CliLine);
      expect(cli.map((line) => line.file)).toEqual(photos);
      // The set must exercise several outcomes, or the comparison proves little.
      expect(new Set(cli.map((line) => line.liveness.status)).size).toBeGreaterThan(1);
      expect(cli.at(-1)!.liveness).toMatchObject({ status: 'Declined', warnings: ['NO_FACE_DETECTED'] });

      const server = await createServer({ db: join(dir, 's.sqlite'), apiKey: 'K' });
      try {
        const base = await server.listen({ port: 0 });
        for (const [index, photo] of photos.entries()) {
          const form = new FormData();
          form.append('user_image', new Blob([new Uint8Array(readFileSync(photo))]), basename(photo));
          form.append('face_liveness_score_decline_threshold', THRESHOLD);
          const response = await fetch(`${base}/v3/passive-liveness/`, { method: 'POST', headers: { 'x-api-key': 'K' }, body: form });
          expect(response.status).toBe(200);
          const { liveness } = await response.json();
          const expected = cli[index].liveness;
          expect({ ...liveness, warnings: liveness.warnings.map((w: { risk: string }) => w.risk) }, photo).toEqual(expected);
        }
        expect(await (await fetch(`${base}/metrics`, { headers: { 'x-api-key': 'K' } })).text()).toMatch(
          /liveness_passive_checks_total\{status="(Approved|Declined|In Review)"\} \d/,
        );
      } finally {
        await server.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
