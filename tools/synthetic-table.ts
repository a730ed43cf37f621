// Score distributions of synthetic genuine subjects vs planar photo, replay and emitting-screen attacks, per mode,
// over many seeds: the table in the README.
//   npx tsx tools/synthetic-table.ts [--seeds 20] [--modes flash,action_flash] [--fps 8] [--json]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { LIVENESS_MODES, type LivenessMode } from '../src/shared/catalogue';
import { createEngine } from '../src/node/engine/index';
import { SUBJECT_KINDS } from '../src/testkit/synth/drive';
import { runMatrix, summarize, type Distribution } from '../src/testkit/synth/matrix';
import { fixturesDir, SubjectCache, SUBJECT_PHOTOS } from '../src/testkit/synth/subject';

const LABELS: Record<string, string> = {
  genuine: 'synthetic genuine',
  planar_photo: 'planar photo',
  replay: 'replay (another seed)',
  emitting_screen: 'emitting screen',
};

function markdown(rows: Distribution[], seeds: number, fps: number): string {
  const pct = (v: number): string => `${Math.round(v * 100)}%`;
  const lines = [
    `Synthetic subjects: ${seeds} seeds per cell, ${SUBJECT_PHOTOS.length} real fixture faces as textures, ${fps} fps, one attempt, threshold 75.`,
    '',
    '| mode | subject | runs | median | min | max | Approved | In Review |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.mode} | ${LABELS[r.kind] ?? r.kind} | ${r.runs} | ${r.median} | ${r.min} | ${r.max} | ${pct(r.approved)} | ${pct(r.inReview)} |`,
    ),
  ];
  return lines.join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seeds: { type: 'string', default: '20' },
      modes: { type: 'string', default: 'flash,action_flash' },
      fps: { type: 'string', default: '8' },
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
    },
  });
  const seedCount = Number(values.seeds);
  const fps = Number(values.fps);
  const modes = values.modes.split(',') as LivenessMode[];
  if (!Number.isInteger(seedCount) || seedCount < 1 || seedCount > 500) throw new Error('--seeds must be an integer 1-500');
  if (!(fps >= 4 && fps <= 30)) throw new Error('--fps must be 4-30');
  for (const mode of modes)
    if (!LIVENESS_MODES.includes(mode) || mode === 'passive') throw new Error(`--modes takes active, flash, action_flash; not ${mode}`);

  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const engine = await createEngine();
  try {
    const seeds = Array.from({ length: seedCount }, (_, i) => i);
    const runs = await runMatrix({
      engine,
      subjects: new SubjectCache(engine, fixturesDir(repoRoot)),
      modes,
      kinds: SUBJECT_KINDS,
      seeds,
      fps,
      onRun: (run) => {
        if (!values.quiet)
          process.stderr.write(`${run.mode} seed ${run.seed} ${run.kind}: ${run.result.status} ${run.result.liveness_score}\n`);
      },
    });
    const rows = summarize(runs);
    if (values.json) {
      console.log(
        JSON.stringify({
          seeds: seedCount,
          fps,
          rows,
          runs: runs.map((r) => ({
            mode: r.mode,
            kind: r.kind,
            seed: r.seed,
            status: r.result.status,
            score: r.result.liveness_score,
            frames: r.frames,
            components: r.result.score_details?.combined_from ?? null,
            flash: r.result.flash_score,
            planar: r.result.planar_score,
            passive: r.result.passive_score,
            pose: r.result.pose_variation_score,
            expression: r.result.expression_variation_score,
          })),
        }),
      );
    } else {
      console.log(markdown(rows, seedCount, fps));
    }
  } finally {
    await engine.close();
  }
  return 0;
}

process.exitCode = await main();
