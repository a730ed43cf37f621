// Crash tests: SIGKILL the writer, the sync client and the server at seeded points, inject 500/503/429 mid-batch,
// then count at the server: nothing lost, nothing doubled. Writes artifacts/fault-report.json (README figures).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runFaultScenario } from '../../src/testkit/fault-harness';
import { repoRoot } from '../../src/testkit/fault-support';

const dir = mkdtempSync(join(tmpdir(), 'liveness-fault-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('kill at any point: nothing lost, nothing doubled', () => {
  it('survives seeded SIGKILLs of writer, sync client and server, and injected 500/503/429', async () => {
    const figures = await runFaultScenario({ dir, seed: 20250611 });
    mkdirSync(resolve(repoRoot, 'artifacts'), { recursive: true });
    writeFileSync(resolve(repoRoot, 'artifacts/fault-report.json'), JSON.stringify(figures, null, 2) + '\n');
    expect(figures.crashPointsTried).toBeGreaterThanOrEqual(20);
    expect(figures.injected.error500AfterCommit).toBeGreaterThan(0);
    expect(figures.decisionsLost).toBe(0);
    expect(figures.duplicatesAtServer).toBe(0);
    expect(figures.decisionsAtServer).toBe(figures.decisionsInLocalStore);
    expect(figures.decisionsInLocalStore).toBeGreaterThanOrEqual(figures.decisionsReportedCommitted);
    expect(figures.localChainIntact).toBe(true);
    expect(figures.pendingAfterFinalSync).toBe(0);
    expect(figures.rejected).toBe(0);
    expect(figures.auditFlags).toBe(0);
    // A 500 after the server committed makes the kiosk re-send: the server answered "duplicate", stored nothing twice.
    expect(figures.duplicateAnswers).toBeGreaterThan(0);
  });
});
