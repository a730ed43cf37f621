// A fresh PostgreSQL schema per test run (TEST_DATABASE_URL), dropped afterwards; or a skip that says why.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const testDatabaseUrl = process.env.TEST_DATABASE_URL;

export interface FreshSchema {
  /** imageKeyFile: made at the server's first start (a PostgreSQL server has no default place for it). */
  options: { databaseUrl: string; pgSchema: string; imageKeyFile: string };
  cleanup(): Promise<void>;
}

/** Server options pointing at a new, uniquely named schema, and a cleanup that drops it. */
export function freshSchema(prefix: string): () => Promise<FreshSchema> {
  return async () => {
    const url = testDatabaseUrl;
    if (!url) throw new Error('TEST_DATABASE_URL is not set');
    const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
    const imageKeyFile = join(tmpdir(), `${schema}.image-key`);
    return {
      options: { databaseUrl: url, pgSchema: schema, imageKeyFile },
      async cleanup() {
        rmSync(imageKeyFile, { force: true });
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      },
    };
  };
}
