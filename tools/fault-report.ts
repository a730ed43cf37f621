// Print (and write artifacts/fault-report.json) the crash-test figures quoted in the README:
//   npx tsx tools/fault-report.ts [--seed N]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runFaultScenario } from '../src/testkit/fault-harness';
import { repoRoot } from '../src/testkit/fault-support';

const seedArg = process.argv.indexOf('--seed');
const seed = seedArg > 0 ? Number(process.argv[seedArg + 1]) : 20250611;
const dir = mkdtempSync(join(tmpdir(), 'liveness-fault-'));
try {
  const figures = await runFaultScenario({ dir, seed, log: (line) => console.error(line) });
  mkdirSync(resolve(repoRoot, 'artifacts'), { recursive: true });
  writeFileSync(resolve(repoRoot, 'artifacts/fault-report.json'), JSON.stringify(figures, null, 2) + '\n');
  console.log(JSON.stringify(figures, null, 2));
  console.log(
    `crash points tried: ${figures.crashPointsTried}; decisions lost: ${figures.decisionsLost}; duplicates at the server: ${figures.duplicatesAtServer}`,
  );
  process.exitCode = figures.decisionsLost === 0 && figures.duplicatesAtServer === 0 && figures.pendingAfterFinalSync === 0 ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
