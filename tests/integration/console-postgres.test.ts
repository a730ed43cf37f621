// The business console on PostgreSQL (TEST_DATABASE_URL), each test in a fresh schema dropped afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, it } from 'vitest';
import { consoleContract } from './console-contract';

const url = process.env.TEST_DATABASE_URL;

if (url) {
  consoleContract('PostgreSQL', async () => {
    const schema = `console_test_${randomBytes(6).toString('hex')}`;
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
  console.warn('console PostgreSQL tests SKIPPED: TEST_DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test).');
  describe.skip('business console on PostgreSQL: SKIPPED because TEST_DATABASE_URL is not set', () => {
    it('needs TEST_DATABASE_URL', () => undefined);
  });
}
