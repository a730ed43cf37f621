// The central API on SQLite files, over real HTTP on 127.0.0.1.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverContract } from './server-contract';

serverContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'liveness-server-db-'));
  return { options: { db: join(dir, 'server.sqlite') }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});
