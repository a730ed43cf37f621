// Clip decoding with the bundled ffmpeg on real fixture clips, and its coded errors.
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeVideo, decodeVideoFrames } from '../../src/node/engine/video';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixtures = process.env.LIVENESS_FIXTURES ?? path.resolve(repoRoot, '..', 'shared', 'fixtures');
const mp4 = path.join(fixtures, 'ageitgey__face_recognition/examples/short_hamilton_clip.mp4');
const webmNamedMov = path.join(fixtures, 'ZubairCracksCode__anit-spoofing/videos/real.mov');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'liveness-video-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('decodeVideo', () => {
  it('samples an MP4 at the requested rate and width with timestamps', async () => {
    const frames = await decodeVideo(mp4, { fps: 2, maxWidth: 320 });
    expect(frames.length).toBeGreaterThan(5);
    for (const [i, f] of frames.entries()) {
      expect(f.width).toBe(320);
      expect(f.data.length).toBe(f.width * f.height * 3);
      expect(f.index).toBe(i);
      expect(f.timestampMs).toBe(i * 500);
    }
  });

  it('decodes a WebM whatever its name says, and stops ffmpeg when the consumer stops', async () => {
    let n = 0;
    for await (const frame of decodeVideoFrames(webmNamedMov, { fps: 10 })) {
      expect(frame.width).toBeLessThanOrEqual(640);
      if (++n === 3) break;
    }
    expect(n).toBe(3);
  });

  it('truncated clip -> CORRUPT_VIDEO; an image -> UNSUPPORTED_TYPE; empty -> FILE_EMPTY', async () => {
    const bytes = await readFile(mp4);
    const truncated = path.join(dir, 'truncated.mp4');
    await writeFile(truncated, bytes.subarray(0, 4096));
    await expect(decodeVideo(truncated)).rejects.toMatchObject({ code: 'CORRUPT_VIDEO' });
    const jpeg = path.join(dir, 'photo.mp4');
    await writeFile(jpeg, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1]));
    await expect(decodeVideo(jpeg)).rejects.toMatchObject({ code: 'UNSUPPORTED_TYPE', message: expect.stringMatching(/JPEG/) });
    const empty = path.join(dir, 'empty.webm');
    await writeFile(empty, '');
    await expect(decodeVideo(empty)).rejects.toMatchObject({ code: 'FILE_EMPTY' });
  });
});
