// Many synthetic sessions (modes x subject kinds x seeds) and their score distributions: shared by the tests and
// tools/synthetic-table.ts (the README's table).
import type { LivenessMode } from '../../shared/catalogue';
import type { Engine } from '../../node/engine/api';
import { runSyntheticSession, type SubjectKind, type SyntheticSessionRun } from './drive';
import type { SubjectCache } from './subject';
import { median } from '../../shared/stats';

export interface MatrixOptions {
  engine: Engine;
  subjects: SubjectCache;
  modes: readonly LivenessMode[];
  kinds: readonly SubjectKind[];
  seeds: readonly number[];
  fps?: number;
  /** Seconds per challenge (the kiosk's challenge_timeout_s); short keeps attack runs, which time out, bounded. */
  challengeTimeoutS?: number;
  screenContent?: 'puppet' | 'recording';
  onRun?: (run: SyntheticSessionRun & { mode: LivenessMode }) => void;
}

export type MatrixRun = SyntheticSessionRun & { mode: LivenessMode };

export async function runMatrix(options: MatrixOptions): Promise<MatrixRun[]> {
  const runs: MatrixRun[] = [];
  for (const mode of options.modes) {
    for (const seed of options.seeds) {
      const subject = await options.subjects.forSeed(seed);
      for (const kind of options.kinds) {
        const run = await runSyntheticSession({
          engine: options.engine,
          subject,
          seed,
          kind,
          fps: options.fps ?? 8,
          screenContent: options.screenContent,
          config: { liveness_mode: mode, challenge_timeout_s: options.challengeTimeoutS ?? 4 },
        });
        const entry = { ...run, mode };
        runs.push(entry);
        options.onRun?.(entry);
      }
    }
  }
  return runs;
}

export interface Distribution {
  mode: LivenessMode;
  kind: SubjectKind;
  runs: number;
  median: number;
  min: number;
  max: number;
  /** Share of runs with status Approved, 0-1. */
  approved: number;
  /** Share of runs with status In Review, 0-1. */
  inReview: number;
}

export function summarize(runs: readonly MatrixRun[]): Distribution[] {
  const groups = new Map<string, MatrixRun[]>();
  for (const run of runs) {
    const key = `${run.mode}\u0000${run.kind}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  return [...groups.values()].map((group) => {
    const scores = group.map((r) => r.result.liveness_score);
    return {
      mode: group[0].mode,
      kind: group[0].kind,
      runs: group.length,
      median: median(scores),
      min: Math.min(...scores),
      max: Math.max(...scores),
      approved: group.filter((r) => r.result.status === 'Approved').length / group.length,
      inReview: group.filter((r) => r.result.status === 'In Review').length / group.length,
    };
  });
}
