// Measure the stream-injection figures (src/liveness/stream-integrity.ts) on the fixture live clips, played straight
// and made into injected streams, to tune the stream* entries of src/shared/tunables.ts.
// Run: LIVENESS_FIXTURES=../shared/fixtures npx tsx tools/measure-stream.ts [--fps 15]
import { resolve } from 'node:path';
import { StreamIntegrity, meanAbsDiff, type StreamSample } from '../src/liveness/stream-integrity';
import { streamSampleFromJpeg } from '../src/node/kiosk/camera-stream';
import { LIVE_CLIPS, clipFrames, exactClock, frozen, looped, stillBackground, type ClipFrame } from '../src/testkit/camera-streams';

const fixtures = process.env.LIVENESS_FIXTURES ?? resolve('..', 'shared', 'fixtures');
const fpsArg = process.argv.indexOf('--fps');
const fps = fpsArg > 0 ? Number(process.argv[fpsArg + 1]) : undefined;

async function measure(name: string, frames: ClipFrame[]): Promise<void> {
  const samples: StreamSample[] = [];
  for (const frame of frames) samples.push(await streamSampleFromJpeg(frame.jpeg, frame.timestampMs));
  const integrity = new StreamIntegrity();
  for (const sample of samples) integrity.push(sample);
  // The smallest change between consecutive frames that are not the same source frame: how far real frames stay apart.
  const changes = samples.slice(1).map((sample, i) => meanAbsDiff(samples[i].luma, sample.luma));
  const positive = changes.filter((c) => c > 0);
  const verdict = integrity.verdict();
  console.log(
    JSON.stringify({
      name,
      frames: verdict.frames,
      identicalPairs: changes.length - positive.length,
      minPositiveChange: positive.length ? Number(Math.min(...positive).toFixed(3)) : null,
      jitterMs: verdict.intervalJitterMs === null ? null : Number(verdict.intervalJitterMs.toFixed(3)),
      noiseFloor: verdict.noiseFloor === null ? null : Number(verdict.noiseFloor.toFixed(3)),
      longestFrozenMs: Math.round(verdict.longestFrozenMs),
      repeatedFrames: verdict.repeatedFrames,
      suspected: verdict.suspected,
    }),
  );
}

for (const clip of LIVE_CLIPS) {
  const frames = clipFrames(resolve(fixtures, clip), { durationS: 8, fps });
  await measure(`${clip} straight`, frames);
  await measure(`${clip} frozen`, frozen(frames));
  await measure(`${clip} looped`, looped(frames, Math.max(5, Math.floor(frames.length / 3))));
  await measure(`${clip} exact-clock`, exactClock(frames, 1000 / (fps ?? 15)));
  await measure(`${clip} still-background`, await stillBackground(frames));
}
