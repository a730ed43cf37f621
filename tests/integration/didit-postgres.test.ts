// Didit's client against the central API on PostgreSQL (TEST_DATABASE_URL), in a fresh schema dropped afterwards.
import { describe, it } from 'vitest';
import { diditContract } from './didit-contract';
import { freshSchema, testDatabaseUrl } from '../../src/testkit/postgres';

if (testDatabaseUrl) {
  diditContract('PostgreSQL', freshSchema('liveness_didit'));
} else {
  console.warn('Didit client on PostgreSQL SKIPPED: TEST_DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test).');
  describe.skip('Didit client on PostgreSQL: SKIPPED because TEST_DATABASE_URL is not set', () => {
    it('needs TEST_DATABASE_URL', () => undefined);
  });
}
