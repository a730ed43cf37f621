// `liveness eval --mode` on real fixture clips: an OpenCV-style AVI is decoded, a clip without its flash sequence is
// not applicable in the flash modes (never a pass), and only an Approved attack counts as accepted.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const fixtures = process.env.LIVENESS_FIXTURES ?? path.resolve(repoRoot, '..', 'shared', 'fixtures');
const GENUINE = 'Krzysiek354__Python_Face_Detection/videos/real.mp4';
const REPLAY = 'lestari15__CNN-face-detection/videos/fake.mp4';
const haveFixtures = [GENUINE, REPLAY].every((f) => existsSync(path.join(fixtures, f)));
const haveModels = existsSync(path.join(repoRoot, 'models', 'manifest.json'));

describe.skipIf(!haveFixtures || !haveModels)(
  `liveness eval --mode on fixture clips${haveFixtures ? '' : ` (SKIPPED: fixtures absent at ${fixtures})`}`,
  () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'liveness-eval-modes-'));
    let summary: {
      modes: {
        mode: string;
        judged: number;
        not_applicable: number;
        errors: number;
        apcer: { attempts: number; errors: number };
        bpcer: { attempts: number };
      }[];
      units: {
        path: string;
        mode: string;
        applicable: boolean;
        status: string | null;
        frames?: number;
        error?: unknown;
        species: string | null;
      }[];
    };
    let stdout = '';

    beforeAll(() => {
      const ffmpeg = (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
      // OpenCV's VideoWriter default on many installs: Motion-JPEG in an AVI container.
      execFileSync(ffmpeg, [
        '-y',
        '-loglevel',
        'error',
        '-t',
        '4',
        '-i',
        path.join(fixtures, GENUINE),
        '-an',
        '-c:v',
        'mjpeg',
        '-q:v',
        '3',
        path.join(dir, 'genuine.avi'),
      ]);
      execFileSync(ffmpeg, [
        '-y',
        '-loglevel',
        'error',
        '-t',
        '4',
        '-i',
        path.join(fixtures, REPLAY),
        '-an',
        '-c:v',
        'libx264',
        '-pix_fmt',
        'yuv420p',
        path.join(dir, 'replay.mp4'),
      ]);
      // The genuine clip carries a sequence (it was not shown: the face cannot follow it); the replay carries none.
      writeFileSync(
        path.join(dir, 'genuine.avi.flash.json'),
        JSON.stringify({
          seed: 'eval-modes-test',
          steps: [
            [120, 160, 200],
            [200, 150, 90],
            [90, 190, 120],
            [180, 120, 200],
            [110, 170, 150],
            [200, 140, 120],
          ].map((rgb) => ({ rgb, durationMs: 500 })),
        }),
      );
      writeFileSync(
        path.join(dir, 'labels.csv'),
        [
          'path,label,kind,attack,source',
          'genuine.avi,real,video,-,krzysiek',
          'replay.mp4,spoof,video,screen (face photo on a smartphone),lestari',
          '',
        ].join('\n'),
      );
      const result = spawnSync(
        process.execPath,
        [path.join(repoRoot, 'bin', 'liveness.mjs'), 'eval', dir, '--mode', 'passive,flash', '--fps', '5', '--json'],
        {
          cwd: repoRoot,
          encoding: 'utf8',
          timeout: 400_000,
        },
      );
      expect(result.status, result.stderr).toBe(0);
      stdout = result.stdout;
      const lines = stdout.trim().split('\n');
      summary = JSON.parse(lines[lines.length - 1]);
    }, 420_000);
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('decodes the OpenCV-style AVI and judges it in every mode it can carry', () => {
      const avi = summary.units.filter((u) => u.path === 'genuine.avi');
      expect(avi.map((u) => u.mode).sort()).toEqual(['flash', 'passive']);
      for (const u of avi) {
        expect(u.error, JSON.stringify(u.error)).toBeUndefined();
        expect(u.applicable).toBe(true);
        expect(u.frames).toBeGreaterThanOrEqual(15);
      }
    });

    it('the replay without a recorded sequence is not applicable in flash mode, and not counted there', () => {
      const flash = summary.modes.find((m) => m.mode === 'flash')!;
      expect(flash.not_applicable).toBe(1);
      expect(flash.judged).toBe(1);
      expect(flash.apcer.attempts).toBe(0);
      expect(summary.units.find((u) => u.path === 'replay.mp4' && u.mode === 'flash')).toMatchObject({ applicable: false, status: null });
      expect(stdout).toMatch(/flash: replay\.mp4: no recorded flash sequence/);
    });

    it('passive mode judges both clips through the decision core; the replay is a "replay" attack, counted in APCER only when Approved', () => {
      const passive = summary.modes.find((m) => m.mode === 'passive')!;
      expect(passive).toMatchObject({ judged: 2, not_applicable: 0, errors: 0 });
      expect(passive.bpcer.attempts).toBe(1);
      expect(passive.apcer.attempts).toBe(1);
      const replay = summary.units.find((u) => u.path === 'replay.mp4' && u.mode === 'passive')!;
      expect(replay.species).toBe('replay');
      expect(['Approved', 'In Review', 'Declined']).toContain(replay.status);
      // An attack sent to review is not an acceptance: only Approved counts against APCER.
      expect(passive.apcer.errors).toBe(replay.status === 'Approved' ? 1 : 0);
    });
  },
);
