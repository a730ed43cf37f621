// The business console on PostgreSQL (TEST_DATABASE_URL), each test in a fresh schema dropped afterwards.
import { describe, it } from 'vitest';
import { consoleContract } from './console-contract';
import { freshSchema, testDatabaseUrl } from '../../src/testkit/postgres';

if (testDatabaseUrl) {
  consoleContract('PostgreSQL', freshSchema('console_test'));
} else {
  console.warn('console PostgreSQL tests SKIPPED: TEST_DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test).');
  describe.skip('business console on PostgreSQL: SKIPPED because TEST_DATABASE_URL is not set', () => {
    it('needs TEST_DATABASE_URL', () => undefined);
  });
}
