// The server's extension points: a plugin brings its own tables (migrated once, recorded per plugin) and routes,
// guarded by the same per-route auth and coded errors as the built-in ones.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { createServer, type ServerContext, type ServerPlugin } from '../../src/server';

const notesRoutes: FastifyPluginAsyncZod<ServerContext> = async (app, ctx) => {
  app.post('/v1/notes', { schema: { body: z.object({ text: z.string().min(1).max(20) }) } }, async (request, reply) => {
    await ctx.storage.db.run('INSERT INTO notes (text) VALUES ($1)', [request.body.text]);
    return reply.code(201).send({ saved: true, by: request.principal?.name });
  });
  app.get('/v1/notes/public', { config: { auth: 'public' } }, async () => ({
    count: Number((await ctx.storage.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM notes'))?.n),
  }));
};

const notesPlugin: ServerPlugin = {
  name: 'notes',
  migrations: [{ version: 1, name: 'notes', statements: (t) => [`CREATE TABLE notes (id ${t.id}, text TEXT NOT NULL)`] }],
  routes: notesRoutes,
};

describe('server plugins', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'liveness-plugins-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('migrates a plugin once, serves its routes behind the shared auth, and answers schema errors with a code', async () => {
    const db = join(dir, 's.sqlite');
    for (let run = 0; run < 2; run++) {
      const server = await createServer({ db, apiKey: 'K', plugins: [notesPlugin] });
      try {
        const base = await server.listen({ port: 0 });
        const post = (body: unknown, key = 'K') =>
          fetch(`${base}/v1/notes`, {
            method: 'POST',
            headers: { 'x-api-key': key, 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
        expect((await post({ text: 'hi' }, 'wrong')).status).toBe(401);
        const bad = await post({ text: '' });
        expect(bad.status).toBe(400);
        expect((await bad.json()).error).toMatchObject({ code: 'INVALID_PAYLOAD', message: expect.stringMatching(/text/) });
        const saved = await post({ text: `run ${run}` });
        expect(saved.status).toBe(201);
        expect(await saved.json()).toEqual({ saved: true, by: 'api-key' });
        expect(await (await fetch(`${base}/v1/notes/public`)).json()).toEqual({ count: run + 1 });
        const migrations = await server.storage.db.all<{ plugin: string; version: number }>(
          "SELECT plugin, version FROM server_migrations WHERE plugin = 'notes'",
        );
        expect(migrations.map((m) => `${m.plugin}:${Number(m.version)}`)).toEqual(['notes:1']);
      } finally {
        await server.close();
      }
    }
  });
});
