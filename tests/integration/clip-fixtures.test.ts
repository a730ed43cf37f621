// Recorded clips through the real CLI and the real engine: a head-turn selfie reports its turns, and every replay
// video in the fixtures (labels.csv: spoof, video) is never Approved in a mode that checks motion or reflections.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVENESS_MODES } from '../../src/shared/catalogue';
import { livenessResultSchema } from '../../src/shared/result';
import { createEngine, type Engine } from '../../src/node/engine/index';
import { generateFlashSequence } from '../../src/liveness/flash';
import { seededRandom } from '../../src/liveness/random';
import { analyzeClipFile, analyzeClipFrames, scoreClip } from '../../src/cli/check-clip';
import { fixturePaths, fixturesDir, haveFixtures, repoRoot } from '../../src/testkit/fixtures';

const fixtures = fixturesDir;
const HEAD_TURN_CLIP = 'Krzysiek354__Python_Face_Detection/videos/real.mp4';
const ALL_CHALLENGES_CLIP = 'ZubairCracksCode__anit-spoofing/videos/real.mov';
/** labels.csv real videos that are selfie captures (the Hamilton clip is broadcast footage with scene cuts). */
const GENUINE_SELFIE_CLIPS = [
  HEAD_TURN_CLIP,
  ALL_CHALLENGES_CLIP,
  'repeating__Blink-Detector/video.mp4',
  'lestari15__CNN-face-detection/videos/real.mp4',
];
/** The CLI default: blinks last 150-300 ms, so a lower rate can miss them (clips are short; the suite stays bounded). */
const FPS = 10;

function spoofVideos(): string[] {
  return fixturePaths('spoof', 'video');
}

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(repoRoot, 'bin/liveness.mjs'), ...args],
      { cwd: repoRoot, timeout: 280_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

describe.skipIf(!haveFixtures)(
  `recorded clips (in-sample: the challenge thresholds were read off these fixture clips)${haveFixtures ? '' : ` (SKIPPED: fixtures absent at ${fixtures})`}`,
  () => {
    let engine: Engine;
    let dir: string;
    beforeAll(async () => {
      engine = await createEngine();
      dir = await mkdtemp(path.join(tmpdir(), 'liveness-clip-'));
    });
    afterAll(async () => {
      await engine?.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('`liveness check <head-turn selfie> --mode active --json` reports head_left and head_right with variation scores', async () => {
      const { code, stdout } = await cli([
        'check',
        path.join(fixtures, HEAD_TURN_CLIP),
        '--mode',
        'active',
        '--fps',
        String(FPS),
        '--json',
      ]);
      expect(code).toBe(0);
      const lines = stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      const result = livenessResultSchema.parse(JSON.parse(lines[0]).liveness);
      expect(result.liveness_mode).toBe('active');
      expect(result.challenges_completed).toEqual(expect.arrayContaining(['head_left', 'head_right']));
      expect(result.pose_variation_score).toBeGreaterThanOrEqual(85);
      // The clip has no blink or smile that the detectors accept: the expression score is reported as not measured.
      expect('expression_variation_score' in result).toBe(true);
      expect(result.planar_score).toBeGreaterThan(50);
    });

    it('a selfie clip with turns, a blink and a smile reports all four in time order, with both variation scores', async () => {
      const { result } = await analyzeClipFile(engine, path.join(fixtures, ALL_CHALLENGES_CLIP), 'active', 75, { fps: FPS });
      expect([...result.challenges_completed].sort()).toEqual(['blink', 'head_left', 'head_right', 'smile']);
      expect(result.challenge_sequence).toEqual(result.challenges_completed);
      expect(result.pose_variation_score).toBeGreaterThanOrEqual(85);
      expect(result.expression_variation_score).toBeGreaterThanOrEqual(85);
      // Asked for the reverse of what was performed, the same clip cannot complete the challenges in order.
      const reversed = [...result.challenge_sequence].reverse();
      const analyses = await analyzeClipFrames(engine, path.join(fixtures, ALL_CHALLENGES_CLIP), { fps: FPS });
      const asked = scoreClip(analyses, 'active', 75, { expectOrder: reversed });
      expect(asked.challenges_completed.length).toBeLessThan(4);
      expect(asked.liveness_score).toBeLessThan(result.liveness_score);
    });

    const videos = spoofVideos();
    it('the fixtures hold replay videos to check', () => {
      expect(videos.length).toBeGreaterThanOrEqual(2);
    });

    // Passive mode is left out: the passive score alone accepts about half of held-out replays (README, "Passive PAD:
    // held-out APCER per attack species"), and since the 2026-11-29 refit lestari15's replay clip scores 87 there.
    const CHECKED_MODES = LIVENESS_MODES.filter((mode) => mode !== 'passive');
    for (const video of videos) {
      it(`replay video ${video} is Declined or In Review in active, flash and action_flash, never Approved`, async () => {
        const analyses = await analyzeClipFrames(engine, path.join(fixtures, video), { fps: FPS });
        // The sequence a kiosk would have drawn now; the replay was recorded long before it existed.
        const sequence = generateFlashSequence(seededRandom(`clip-test:${video}`));
        const seen: Record<string, string> = {};
        for (const mode of CHECKED_MODES) {
          const result = scoreClip(analyses, mode, 75, {}, mode === 'flash' || mode === 'action_flash' ? sequence : undefined);
          livenessResultSchema.parse(result);
          seen[mode] = `${result.status} ${result.liveness_score}`;
          expect(['Declined', 'In Review'], `${video} in ${mode}: ${JSON.stringify(seen)}`).toContain(result.status);
          expect(result.liveness_passed).toBe(false);
        }
      });
    }

    // The clip's passive verdict is the median PAD over every face frame (a replay that shows a real face for a moment
    // must not pass on it); the genuine selfie clips must still not be declined by that rule.
    for (const video of GENUINE_SELFIE_CLIPS) {
      it(`genuine selfie clip ${video} is not Declined in passive mode`, async () => {
        const analyses = await analyzeClipFrames(engine, path.join(fixtures, video), { fps: FPS });
        const result = scoreClip(analyses, 'passive', 75);
        expect(result.status, `${video}: ${result.status} ${result.liveness_score}`).not.toBe('Declined');
      });
    }

    it('flash modes need the sequence that was shown, and a bad sequence file is a coded error', async () => {
      const clip = path.join(fixtures, HEAD_TURN_CLIP);
      const missing = await cli(['check', clip, '--mode', 'flash', '--json']);
      expect(missing.code).toBe(2);
      expect(JSON.parse(missing.stdout.trim()).error.code).toBe('INVALID_ARGUMENT');
      const bad = path.join(dir, 'bad.json');
      await writeFile(bad, '{"seed": 1, "steps": []}');
      const invalid = await cli(['check', clip, '--mode', 'flash', '--flash-sequence', bad, '--json']);
      expect(JSON.parse(invalid.stdout.trim()).error.code).toBe('INVALID_ARGUMENT');
      const usage = await cli(['check', clip, '--mode', 'active', '--expect-order', 'head_left,jump', '--json']);
      expect(usage.code).toBe(1);
      expect(usage.stderr).toMatch(/expect-order/);
    });
  },
);
