// How much a request may carry, per kind of route, and how often enrolment may be tried. Security bounds, not tuned
// from data: each follows from the largest legitimate request of its kind.
import { MAX_BATCH_BYTES } from '../../node/sync/client';
import { MAX_PORTRAIT_BYTES } from '../branch';
import { MAX_FACE_IMAGE_BYTES } from '../faces/form';
import { MAX_IMAGE_BYTES } from '../storage';

const MiB = 1024 * 1024;

/** Room for a form's or a batch's own framing (multipart boundaries and text fields, JSON keys and signatures). */
const FRAMING_BYTES = 1 * MiB;

/** JSON API routes (sessions, reviews, workflows, lists…): the server's default body limit. */
export const JSON_BODY_LIMIT = 1 * MiB;

/** POST /v1/decisions: the kiosk's batch budget, plus one record's base64 image (a first record is sent even if it alone exceeds the budget). */
export const DECISIONS_BODY_LIMIT = MAX_BATCH_BYTES + Math.ceil((MAX_IMAGE_BYTES * 4) / 3) + FRAMING_BYTES;

/** POST /v3/session/: a JSON body that may carry the reference photo (`portrait_image`, base64) and short fields. */
export const SESSION_CREATE_BODY_LIMIT = Math.ceil((MAX_PORTRAIT_BYTES * 4) / 3) + FRAMING_BYTES;

/** The passive upload (POST /v3/passive-liveness/): its documented 5 MB image and a few short fields. */
export const UPLOAD_BODY_LIMIT = MAX_IMAGE_BYTES + FRAMING_BYTES;

/** Any other multipart route that sets no limit of its own: the face endpoints' two images of up to 10 MB each. */
export const MULTIPART_BODY_LIMIT = 2 * MAX_FACE_IMAGE_BYTES + FRAMING_BYTES;

/** Enrolment attempts per client address and window (@fastify/rate-limit, in this instance's memory). */
export const ENROL_RATE_LIMIT = { max: 10, timeWindow: 60_000 } as const;

/** Expired request nonces are purged at most this often per instance (a nonce outlives its request by the freshness window). */
export const NONCE_PURGE_INTERVAL_MS = 60_000;
