// Where the labelled fixtures are (../shared/fixtures beside the repo, or LIVENESS_FIXTURES) and their labels, read
// with the project's own CSV parser (the notes column holds quoted commas).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseLabels, type LabelRow } from '../node/eval/labels';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const fixturesDir = process.env.LIVENESS_FIXTURES ?? path.resolve(repoRoot, '..', 'shared', 'fixtures');
export const haveFixtures = existsSync(path.join(fixturesDir, 'labels.csv'));

let cached: LabelRow[] | null = null;

/** Every row of labels.csv; [] when the fixtures are absent (tests then say they were skipped). */
export function fixtureLabels(): LabelRow[] {
  if (!haveFixtures) return [];
  cached ??= parseLabels(readFileSync(path.join(fixturesDir, 'labels.csv'), 'utf8'));
  return cached;
}

/** Rows with this label and kind, as paths relative to the fixtures folder. */
export function fixturePaths(label: LabelRow['label'], kind: LabelRow['kind']): string[] {
  return fixtureLabels()
    .filter((row) => row.label === label && row.kind === kind)
    .map((row) => row.path);
}
