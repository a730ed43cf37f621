// The five routes Didit's v3 API gives a resource kept by uuid (workflows, webhook destinations): list, create,
// read, update and delete, each 404 with the resource's own name when the uuid is unknown.
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError } from '../http/errors';

type ZodApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

export interface UuidStore<Row, Body, Patch> {
  list(): Promise<Row[]>;
  get(uuid: string): Promise<Row | undefined>;
  create(body: Body): Promise<Row>;
  update(uuid: string, body: Patch): Promise<Row | undefined>;
  delete(uuid: string): Promise<boolean>;
}

export interface UuidResource<Row, Body extends z.ZodType, Patch extends z.ZodType> {
  /** e.g. /v3/workflows/ (with its trailing slash, as Didit's paths have). */
  path: string;
  /** What a 404 calls it: "No <noun> <uuid>." */
  noun: string;
  store: UuidStore<Row, z.output<Body>, z.output<Patch>>;
  format: (row: Row) => unknown;
  body: Body;
  patch: Patch;
}

const params = z.object({ id: z.string().min(1).max(100) });

export function uuidResourceRoutes<Row, Body extends z.ZodType, Patch extends z.ZodType>(
  app: ZodApp,
  { path, noun, store, format, body, patch }: UuidResource<Row, Body, Patch>,
): void {
  const found = (row: Row | undefined, id: string): unknown => {
    if (!row) throw new HttpError(404, 'NOT_FOUND', `No ${noun} ${id}.`);
    return format(row);
  };

  app.get(path, async () => {
    const rows = await store.list();
    return { count: rows.length, next: null, previous: null, results: rows.map(format) };
  });

  app.post(path, { schema: { body } }, async (request, reply) =>
    reply.code(201).send(format(await store.create(request.body as z.output<Body>))),
  );

  app.get(`${path}:id/`, { schema: { params } }, async (request) => found(await store.get(request.params.id), request.params.id));

  app.patch(`${path}:id/`, { schema: { params, body: patch } }, async (request) =>
    found(await store.update(request.params.id, request.body as z.output<Patch>), request.params.id),
  );

  app.delete(`${path}:id/`, { schema: { params } }, async (request, reply) => {
    if (!(await store.delete(request.params.id))) throw new HttpError(404, 'NOT_FOUND', `No ${noun} ${request.params.id}.`);
    return reply.code(204).send();
  });
}
