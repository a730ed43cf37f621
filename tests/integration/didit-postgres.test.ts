// Didit's client against the central API on PostgreSQL (TEST_DATABASE_URL), in a fresh schema dropped afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, it } from 'vitest';
import { diditContract } from './didit-contract';

const url = process.env.TEST_DATABASE_URL;

if (url) {
  diditContract('PostgreSQL', async () => {
    const schema = `liveness_didit_${randomBytes(6).toString('hex')}`;
    return {
      options: { databaseUrl: url, pgSchema: schema },
      async cleanup() {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      },
    };
  });
} else {
  console.warn('Didit client on PostgreSQL SKIPPED: TEST_DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test).');
  describe.skip('Didit client on PostgreSQL: SKIPPED because TEST_DATABASE_URL is not set', () => {
    it('needs TEST_DATABASE_URL', () => undefined);
  });
}
