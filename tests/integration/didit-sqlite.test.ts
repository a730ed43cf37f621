// Didit's client against the central API on a SQLite file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diditContract } from './didit-contract';

diditContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'liveness-didit-db-'));
  return { options: { db: join(dir, 'server.sqlite') }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});
