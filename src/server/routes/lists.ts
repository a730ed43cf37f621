// /v3/lists/: blocklists, allowlists and custom lists with their entries (Didit's contract). Face entries come from
// an uploaded image (entries/face-upload/, base64 JSON) or a session's face; their embeddings are never returned.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CodedError } from '../../shared/errors';
import { validateStill } from '../../node/engine/decode';
import { LIST_ENTRY_TYPES, type ListEntryRow, type ListRow } from '../faces/face-index';
import { MAX_FACE_IMAGE_BYTES } from '../faces/form';
import { describe, type FaceRouteDeps } from '../faces/deps';

/** A face upload is base64 JSON: 4/3 of the largest image plus the other fields. */
const FACE_UPLOAD_BODY_LIMIT = Math.ceil((MAX_FACE_IMAGE_BYTES * 4) / 3) + 64 * 1024;
const DEFAULT_PAGE = 50;
const MAX_PAGE = 200;

const uuidParam = z.string().uuid();
const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(DEFAULT_PAGE),
  offset: z.coerce.number().int().min(0).default(0),
});
const createListBody = z.object({
  name: z.string().trim().min(1).max(200),
  list_type: z.enum(['allowlist', 'custom']),
  entry_type: z.enum(LIST_ENTRY_TYPES),
  description: z.string().max(2000).nullish(),
});
const updateListBody = z.object({ name: z.string().trim().min(1).max(200).optional(), description: z.string().max(2000).nullish() });
const entryFields = {
  display_label: z.string().max(200).nullish(),
  comment: z.string().max(2000).nullish(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
};
const createEntryBody = z.object({
  value: z.string().min(1).max(1000).nullish(),
  reference_session_id: z.string().max(100).nullish(),
  reference_object_uuid: z.string().max(100).nullish(),
  ...entryFields,
});
const faceUploadBody = z.object({ image: z.string().min(1), ...entryFields });

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new CodedError('INVALID_ARGUMENT', `${issue.path.join('.') || 'body'}: ${issue.message}`);
  }
  return result.data;
}

export function formatList(row: ListRow) {
  return {
    uuid: row.uuid,
    name: row.name,
    list_type: row.list_type,
    entry_type: row.entry_type,
    description: row.description,
    is_system: Boolean(Number(row.is_system)),
    created_at: row.created_at,
  };
}

export function formatEntry(row: ListEntryRow) {
  return {
    uuid: row.uuid,
    list_uuid: row.list_uuid,
    value: row.value,
    display_label: row.display_label,
    comment: row.comment,
    metadata: row.metadata_json ? JSON.parse(row.metadata_json) : null,
    reference_session_id: row.reference_session_id,
    created_at: row.created_at,
  };
}

function page<T>(url: string, limit: number, offset: number, count: number, results: T[]) {
  const at = (o: number) => `${url.split('?')[0]}?limit=${limit}&offset=${o}`;
  return {
    count,
    next: offset + limit < count ? at(offset + limit) : null,
    previous: offset > 0 ? at(Math.max(0, offset - limit)) : null,
    results,
  };
}

export async function listRoutes(app: FastifyInstance, deps: FaceRouteDeps): Promise<void> {
  const { faces } = deps;

  app.get('/v3/lists/', async (request) => {
    const q = parse(
      pageQuery.extend({ list_type: z.string().max(20).optional(), entry_type: z.string().max(20).optional() }),
      request.query,
    );
    const { count, rows } = await faces.listLists(q);
    return page(request.url, q.limit, q.offset, count, rows.map(formatList));
  });

  app.post('/v3/lists/', async (request, reply) => {
    const body = parse(createListBody, request.body);
    return reply.code(201).send(formatList(await faces.createList(body, deps.now())));
  });

  app.get<{ Params: { uuid: string } }>('/v3/lists/:uuid/', async (request) =>
    formatList(await faces.getList(parse(uuidParam, request.params.uuid))),
  );

  app.patch<{ Params: { uuid: string } }>('/v3/lists/:uuid/', async (request) => {
    const body = parse(updateListBody, request.body);
    return formatList(await faces.updateList(parse(uuidParam, request.params.uuid), body));
  });

  app.delete<{ Params: { uuid: string } }>('/v3/lists/:uuid/', async (request, reply) => {
    await faces.deleteList(parse(uuidParam, request.params.uuid));
    return reply.code(204).send();
  });

  app.get<{ Params: { uuid: string } }>('/v3/lists/:uuid/entries/', async (request) => {
    const q = parse(pageQuery.extend({ search: z.string().max(200).optional() }), request.query);
    const { count, rows } = await faces.listEntries(parse(uuidParam, request.params.uuid), q);
    return page(request.url, q.limit, q.offset, count, rows.map(formatEntry));
  });

  app.post<{ Params: { uuid: string } }>('/v3/lists/:uuid/entries/', async (request, reply) => {
    const listUuid = parse(uuidParam, request.params.uuid);
    const body = parse(createEntryBody, request.body);
    const list = await faces.getList(listUuid);
    if (list.entry_type === 'face') {
      // A face entry by reference copies that session's enrolled face (the session's own record stays as it was).
      if (!body.reference_session_id)
        throw new CodedError('INVALID_ARGUMENT', 'Face lists take face images: use entries/face-upload/, or give reference_session_id.');
      const embedding = await faces.sessionEmbedding(body.reference_session_id);
      if (!embedding) throw new CodedError('NOT_FOUND', `Session ${body.reference_session_id} has no enrolled face.`);
      return reply.code(201).send(formatEntry(await faces.createEntry(listUuid, { ...body, embedding }, deps.now())));
    }
    return reply.code(201).send(formatEntry(await faces.createEntry(listUuid, body, deps.now())));
  });

  app.post<{ Params: { uuid: string } }>(
    '/v3/lists/:uuid/entries/face-upload/',
    { bodyLimit: FACE_UPLOAD_BODY_LIMIT },
    async (request, reply) => {
      const listUuid = parse(uuidParam, request.params.uuid);
      const body = parse(faceUploadBody, request.body);
      const list = await faces.getList(listUuid);
      if (list.entry_type !== 'face')
        throw new CodedError('INVALID_ARGUMENT', `List ${listUuid} holds ${list.entry_type} entries, not faces.`);
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body.image.replace(/\s+/g, '')))
        throw new CodedError('INVALID_PAYLOAD', 'image must be base64-encoded image bytes.');
      const bytes = Buffer.from(body.image, 'base64');
      validateStill(bytes, { maxBytes: MAX_FACE_IMAGE_BYTES });
      const face = await describe(deps, bytes);
      if (!face)
        throw new CodedError('INVALID_ARGUMENT', 'No face was found in the image; upload a clear, front-facing photo of one face.');
      const entry = await faces.createEntry(
        listUuid,
        { display_label: body.display_label, comment: body.comment, metadata: body.metadata ?? undefined, embedding: face.embedding },
        deps.now(),
      );
      return reply.code(201).send(formatEntry(entry));
    },
  );

  app.delete<{ Params: { uuid: string; entry: string } }>('/v3/lists/:uuid/entries/:entry/', async (request, reply) => {
    await faces.deleteEntry(parse(uuidParam, request.params.uuid), parse(uuidParam, request.params.entry));
    return reply.code(204).send();
  });
}
