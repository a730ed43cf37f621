// The central API on PostgreSQL (TEST_DATABASE_URL), each test in a fresh schema that is dropped afterwards,
// including two stateless instances sharing the database.
import { describe, it } from 'vitest';
import { serverContract } from './server-contract';
import { freshSchema, testDatabaseUrl } from '../../src/testkit/postgres';

if (testDatabaseUrl) {
  serverContract('PostgreSQL', freshSchema('liveness_test'), { multiInstance: true });
} else {
  console.warn('PostgreSQL tests SKIPPED: TEST_DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test).');
  describe.skip('central API on PostgreSQL: SKIPPED because TEST_DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test)', () => {
    it('needs TEST_DATABASE_URL', () => undefined);
  });
}
