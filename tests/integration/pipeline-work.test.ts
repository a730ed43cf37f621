// Work a still skips (issue 13, the hot path): the half-turned retry runs the mesh only when one of its detections could
// beat the upright answer. Counted in model runs, never timed: an upright photo meshes once, an upside-down one is
// still found (the retry's mesh runs when it can win); a face the retry could not beat does not run the retry's detector.
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RgbFrame } from '../../src/node/engine/api';
import { decodeStillFile } from '../../src/node/engine/decode';
import {
  FramePipeline,
  PIPELINE_MODELS,
  type ModelSession,
  type PipelineModel,
  type PipelineSessions,
} from '../../src/node/engine/pipeline';
import { openSession } from '../../src/node/engine/sessions';
import { fixturesDir, haveFixtures } from '../../src/testkit/fixtures';

const runs: Record<string, number> = {};
let pipeline: FramePipeline;

beforeAll(async () => {
  const sessions: Partial<Record<PipelineModel, ModelSession>> = {};
  for (const name of PIPELINE_MODELS) {
    const session = await openSession(name);
    // Counts the runs of each model; the session itself does the work.
    sessions[name] = {
      outputNames: session.outputNames,
      run: (feeds) => {
        runs[name] = (runs[name] ?? 0) + 1;
        return session.run(feeds);
      },
    };
  }
  pipeline = new FramePipeline(sessions as PipelineSessions);
});

async function meshRuns(frame: RgbFrame): Promise<{ faces: number; mesh: number; detector: number; confidence?: number }> {
  const before = { ...runs };
  const analysis = await pipeline.analyze(frame);
  const delta = (name: string) => (runs[name] ?? 0) - (before[name] ?? 0);
  return {
    faces: analysis.faces.length,
    mesh: delta('facemesh'),
    detector: delta('blazeface_front') + delta('blazeface'),
    confidence: analysis.faces[0]?.confidence,
  };
}

describe.skipIf(!haveFixtures)('work skipped on a still', () => {
  const obama = path.join(fixturesDir, 'ageitgey__face_recognition/examples/obama.jpg');

  it('meshes an upright face once: the half-turned retry finds nothing that could beat it, so its mesh does not run', async () => {
    const skippedBefore = pipeline.retryMeshesSkipped;
    const result = await meshRuns(await decodeStillFile(obama));
    expect(result).toMatchObject({ faces: 1, mesh: 1 });
    expect(pipeline.retryMeshesSkipped - skippedBefore).toBeGreaterThanOrEqual(1);
    // A face scored within the turn margin of 1 cannot be beaten by the half-turned retry: its detector does not run.
    expect(result.confidence).toBeGreaterThanOrEqual(0.9);
    expect(result.detector).toBe(1);
  }, 120_000);

  it('still finds an upside-down face (the retry meshes when its detection can win)', async () => {
    const { data, info } = await sharp(obama).rotate(180).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const result = await meshRuns({ data: new Uint8Array(data), width: info.width, height: info.height });
    expect(result.faces).toBe(1);
    expect(result.detector).toBeGreaterThanOrEqual(2);
    expect(result.mesh).toBeGreaterThanOrEqual(2);
  }, 120_000);
});
