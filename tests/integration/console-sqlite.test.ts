// The business console on SQLite (the default store), plus `liveness admin create` making the first admin.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Storage } from '../../src/server/storage';
import { SERVER_PLUGINS } from '../../src/server/plugins';
import { ConsoleStore } from '../../src/server/console';
import { cliPath, repoRoot } from '../../src/testkit/fault-support';
import { consoleContract } from './console-contract';

consoleContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'liveness-console-db-'));
  return { options: { db: join(dir, 'server.sqlite') }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

function adminCreate(args: string[], stdin: string) {
  const child = spawn(process.execPath, [cliPath, 'admin', 'create', ...args], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  child.stdin.end(stdin);
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, stdout, stderr })),
  );
}

const migrations = SERVER_PLUGINS.map((plugin) => ({ plugin: plugin.name, migrations: plugin.migrations ?? [] }));

describe('liveness admin create', () => {
  it('creates the first admin from a piped password; refuses a short password and a duplicate; no account exists before', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'liveness-admin-cli-'));
    const db = join(dir, 'server.sqlite');
    try {
      const storage = await Storage.open({ sqlitePath: db }, migrations);
      const store = new ConsoleStore(storage.db);
      expect(await store.listUsers()).toEqual([]);
      await storage.close();

      const short = await adminCreate(['--username', 'alice', '--db', db], 'short\n');
      expect(short.code).toBe(1);
      expect(short.stderr).toMatch(/INVALID_ARGUMENT: The password must be at least 12 characters/);

      const made = await adminCreate(['--username', 'Alice', '--db', db], 'a long enough passphrase\n');
      expect(made.stderr).toBe('');
      expect(made.code).toBe(0);
      expect(made.stdout).toMatch(/created admin alice/);
      expect(made.stdout).not.toContain('a long enough passphrase');

      const duplicate = await adminCreate(['--username', 'alice', '--db', db], 'another long passphrase\n');
      expect(duplicate.code).toBe(1);
      expect(duplicate.stderr).toMatch(/CONFLICT/);

      const reopened = await Storage.open({ sqlitePath: db }, migrations);
      const again = new ConsoleStore(reopened.db);
      expect((await again.listUsers()).map((user) => [user.username, user.role])).toEqual([['alice', 'admin']]);
      const login = await again.login('alice', 'a long enough passphrase', null);
      expect(login.ok).toBe(true);
      const audit = await again.listAudit({ limit: 10, offset: 0, action: 'user.create' });
      expect(audit.results[0]).toMatchObject({ actor_type: 'cli', target: 'alice', detail: { role: 'admin' } });
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
