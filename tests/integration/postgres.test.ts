// The central API on PostgreSQL (TEST_DATABASE_URL), each test in a fresh schema that is dropped afterwards,
// including two stateless instances sharing the database.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, it } from 'vitest';
import { serverContract } from './server-contract';

const url = process.env.TEST_DATABASE_URL;

if (url) {
  serverContract('PostgreSQL', async () => {
    const schema = `liveness_test_${randomBytes(6).toString('hex')}`;
    return {
      options: { databaseUrl: url, pgSchema: schema },
      async cleanup() {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      },
    };
  }, { multiInstance: true });
} else {
  console.warn('PostgreSQL tests SKIPPED: TEST_DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test).');
  describe.skip('central API on PostgreSQL: SKIPPED because TEST_DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test)', () => {
    it('needs TEST_DATABASE_URL', () => undefined);
  });
}
