// What the three v3 face endpoints (face-match, face-search, age-estimation) share: the form with Didit's common
// fields, and save_api_request's enrolment of the user's face under the request's id.
import type { FastifyRequest } from 'fastify';
import { booleanField, readFaceForm, vendorDataField, type FaceForm } from '../faces/form';
import { newRequestId, type FaceRouteDeps } from '../faces/deps';

export interface FaceRequest<Own> extends FaceForm {
  /** The endpoint's own fields, checked before the common ones: a form with several bad fields is refused for its own first. */
  own: Own;
  save: boolean;
  vendorData: string | null;
  requestId: string;
}

export async function readFaceRequest<Own = undefined>(
  request: FastifyRequest,
  imageFields: readonly string[],
  readOwnFields: (fields: Record<string, string>) => Own = () => undefined as Own,
): Promise<FaceRequest<Own>> {
  const { images, fields } = await readFaceForm(request, imageFields);
  const own = readOwnFields(fields);
  const save = booleanField(fields, 'save_api_request', true);
  return { images, fields, own, save, vendorData: vendorDataField(fields), requestId: newRequestId() };
}

/** save_api_request (default true): the user's face joins the index, searchable or (face-search's own) not. */
export async function saveRequestFace(
  deps: FaceRouteDeps,
  request: FaceRequest<unknown>,
  face: { status: string; embedding: Float32Array; searchable: boolean },
): Promise<void> {
  if (!request.save) return;
  await deps.faces.enrolFace({ source: 'api_request', sessionId: request.requestId, vendorData: request.vendorData, ...face }, deps.now());
}
