// The "Must show" flow with CLI child processes and real HTTP: check --db, server, sync, read, sync again.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliPath, freePort, repoRoot, runCli, spawnTs, waitForLine } from '../../src/testkit/fault-support';

const fixtures = process.env.LIVENESS_FIXTURES ?? resolve(repoRoot, '..', 'shared', 'fixtures');
const images = ['img10.jpg', 'img11.jpg', 'img12.jpg'].map((f) => join(fixtures, 'serengil__deepface/tests/unit/dataset', f));
const haveEngine = existsSync(resolve(repoRoot, 'models/manifest.json')) && images.every((f) => existsSync(f));
const dir = mkdtempSync(join(tmpdir(), 'liveness-flow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe(`liveness check --db -> server -> sync -> read (${haveEngine ? 'real engine' : 'engine models or fixtures missing: decisions recorded by the test writer instead of check'})`, () => {
  it('shows each decision once; a second sync sends nothing new; SIGTERM closes the server', async () => {
    const queue = join(dir, 'q.sqlite');
    if (haveEngine) {
      const check = await runCli(['check', ...images, '--db', queue, '--json']);
      expect(check.code, check.stderr).toBe(0);
    } else {
      const writer = spawnTs(resolve(repoRoot, 'src/testkit/fault-child.ts'), [
        'writer',
        '--db',
        queue,
        '--prefix',
        'flow',
        '--count',
        '3',
      ]);
      expect((await writer.exit).code).toBe(0);
    }
    const queued = JSON.parse((await runCli(['queue', '--db', queue, '--json'])).stdout);
    expect(queued).toMatchObject({ total: 3, pending: 3, done: 0 });

    const port = await freePort();
    const server = spawnTs(cliPath, [
      'server',
      '--port',
      String(port),
      '--db',
      join(dir, 'server.sqlite'),
      '--api-key',
      'K',
      '--enrol-token',
      'T',
    ]);
    const url = `http://127.0.0.1:${port}`;
    expect(await waitForLine(server, /listening on/)).toContain(url);
    try {
      const first = await runCli(['sync', '--server', url, '--db', queue, '--enrol-token', 'T', '--json']);
      expect(first.code, first.stderr).toBe(0);
      const report = JSON.parse(first.stdout);
      expect(report).toMatchObject({ enrolled_now: true, accepted: 3, duplicate: 0, pending: 0 });
      for (const sessionId of report.accepted_sessions as string[]) {
        const response = await fetch(`${url}/v3/session/${sessionId}/decision/`, { headers: { 'x-api-key': 'K' } });
        expect(response.status).toBe(200);
        const body = await response.json();
        expect(body.session_id).toBe(sessionId);
        expect(body.liveness_checks).toHaveLength(1);
      }
      const list = await (await fetch(`${url}/v3/sessions`, { headers: { 'x-api-key': 'K' } })).json();
      expect(list.count).toBe(3);
      expect(new Set(list.results.map((r: { session_id: string }) => r.session_id)).size).toBe(3);

      const second = await runCli(['sync', '--server', url, '--db', queue, '--json']);
      expect(second.code, second.stderr).toBe(0);
      expect(JSON.parse(second.stdout)).toMatchObject({ enrolled_now: false, sent: 0, accepted: 0 });
      const text = await runCli(['sync', '--server', url, '--db', queue]);
      expect(text.stdout).toMatch(/sent 0 decisions/);
      expect(JSON.parse((await runCli(['queue', '--db', queue, '--json'])).stdout)).toMatchObject({ total: 3, pending: 0, done: 3 });
    } finally {
      server.child.kill('SIGTERM');
    }
    expect((await server.exit).code).toBe(0);
  });

  it('bad operator input gets coded errors', async () => {
    const missing = await runCli(['queue', '--db', join(dir, 'nope.sqlite')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/FILE_NOT_FOUND/);
    const noServer = await runCli(['sync', '--db', join(dir, 'q.sqlite')]);
    expect(noServer.stderr).toMatch(/INVALID_ARGUMENT/);
    const badPort = await runCli(['server', '--port', 'x']);
    expect(badPort.stderr).toMatch(/INVALID_ARGUMENT/);
  });
});
