// A released migration has already run on operators' databases (nothing re-runs it, and SQLite keeps its CREATE text
// in sqlite_master): its SQL must stay byte for byte what was released. A change to one needs a new version instead.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SERVER_PLUGINS } from '../../src/server/plugins';
import { COLUMN_TYPES } from '../../src/server/schema';
import type { Dialect } from '../../src/server/sql';

/** sha256 of each released migration's statements (joined by a line holding ';'), per dialect, as first released. */
const RELEASED: Record<string, string> = {
  'core:1:sqlite': 'd36f19064929a6b675aa03e5d8382e87193ff59d3aebb273406ea4044539a36c',
  'core:1:postgres': 'a93f8bee95eee007898522d950bfdc0ac0a26ca3cda56e30f215636e3ef622af',
  'core:2:sqlite': 'a41bd4b028cb5f556debc0a0b649605dd44b493841ad99c0b29782851c440cf1',
  'core:2:postgres': 'c1fc7c8dbe6c36827f91835867effd36e5011fb56ccb1b28d429f2ef8e458b1a',
  'branch:1:sqlite': '02d39124fa2e25ac82669ed478bed419837587db211d8a2d5cf611bb57621a50',
  'branch:1:postgres': 'f8377e86e88fb35fad42a0dedaa611a23faa823a6f02a2b19e31cebd25fe7c40',
  'image-vault:1:sqlite': 'c3c7c1096d5bad1236fe674dddbf7edc66a2af20005ce47d0bfeccfc1965527f',
  'image-vault:1:postgres': 'c3c7c1096d5bad1236fe674dddbf7edc66a2af20005ce47d0bfeccfc1965527f',
  'devices:1:sqlite': 'c5109e464294ef4e376fb72ee1f15c5042236fe040c27230695a5290f1bf36bc',
  'devices:1:postgres': '826ff76e01f31fab2e508b5610fe5789e64d3f530a3e960a311503174c722911',
  'console:1:sqlite': '704f39002618d5805fa9453b656dec314df56ba34ef08b7662f624225a1e987e',
  'console:1:postgres': '3dc0fd474583318ee3e43fc34f2bcb9cde11a611db649da516a86364bba47071',
  'console:2:sqlite': '2189aae73fa25595b6f32a1efe8e22eb00984351649abb61d1370da50d26373b',
  'console:2:postgres': '2189aae73fa25595b6f32a1efe8e22eb00984351649abb61d1370da50d26373b',
};

const released = (): Map<string, string> => {
  const hashes = new Map<string, string>();
  for (const plugin of SERVER_PLUGINS)
    for (const migration of plugin.migrations ?? [])
      for (const dialect of Object.keys(COLUMN_TYPES) as Dialect[]) {
        const sql = migration.statements(COLUMN_TYPES[dialect]).join('\n;\n');
        hashes.set(`${plugin.name}:${migration.version}:${dialect}`, createHash('sha256').update(sql).digest('hex'));
      }
  return hashes;
};

describe('released server migrations', () => {
  it('write the same SQL as when they were released, on SQLite and PostgreSQL', () => {
    const now = released();
    for (const [key, hash] of Object.entries(RELEASED)) expect({ key, hash: now.get(key) }).toEqual({ key, hash });
  });
});
