// Capture packs: whole pilot kiosk sessions (frames, the flash sequence as emitted, timings, the engine's per-frame
// analysis, the staff label) sealed to the calibration team's X25519 public key. The kiosk can write a pack but not
// read it back: a stolen kiosk gives away no recorded face. Format: docs/capture-pack.md.
import {
  createCipheriv,
  createDecipheriv,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  randomUUID,
  type KeyObject,
} from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { LIVENESS_MODES, STATUSES } from '../../shared/catalogue';
import { CAPTURE_LABELS } from '../../shared/capture';
import { CodedError } from '../../shared/errors';
import { flashSequenceSchema, livenessResultSchema } from '../../shared/result';
import type { FrameAnalysis } from '../../shared/analysis';
import { publicKeyId, readPemKey } from '../keys';

export const PACK_MAGIC = 'LVCPACK1';
export const PACK_FORMAT_VERSION = 1;
const HKDF_INFO = 'liveness capture pack v1';
/** A pack holds at most this many frames (a 60 s session at 10 fps): bounded memory on the kiosk. */
export const MAX_PACK_FRAMES = 600;
/** Largest pack read (a 600-frame pack of 640x480 JPEGs is ~40 MB). */
export const MAX_PACK_BYTES = 256 * 1024 * 1024;

export { CAPTURE_LABELS, type CaptureLabel } from '../../shared/capture';

const cameraLockSchema = z.object({
  exposure_supported: z.boolean(),
  exposure_locked: z.boolean(),
  white_balance_supported: z.boolean(),
  white_balance_locked: z.boolean(),
});
export type CameraLockRecord = z.infer<typeof cameraLockSchema>;

const frameRecordSchema = z.object({
  index: z.number().int().min(0),
  /** The renderer's capture clock (the same clock as flash_start_ms). */
  timestamp_ms: z.number(),
  /** Kiosk wall-clock ms when the frame arrived (delivery timing). */
  received_at_ms: z.number(),
  jpeg_offset: z.number().int().min(0),
  jpeg_length: z.number().int().min(1),
  /** The engine's analysis of this frame, as the decision core saw it. */
  analysis: z.custom<FrameAnalysis>((v) => typeof v === 'object' && v !== null && Array.isArray((v as FrameAnalysis).faces)),
});

export const packManifestSchema = z.object({
  format: z.literal('liveness-capture-pack'),
  version: z.literal(PACK_FORMAT_VERSION),
  pack_id: z.string().uuid(),
  site_id: z.string().min(1).max(64),
  kiosk_id: z.string().max(128).nullable(),
  created_at: z.string(),
  label: z.enum(CAPTURE_LABELS),
  /** Pseudonymous subject code the staff member enters (never a name): pools attempts by person. */
  subject_ref: z.string().min(1).max(64),
  consent: z.object({
    /** The filmed person agreed to be recorded for calibration (confirmed by staff before the session). */
    calibration_recording: z.literal(true),
    /** Version of the kiosk consent text the person accepted. */
    kiosk_consent_version: z.string(),
    confirmed_at: z.string(),
  }),
  session: z.object({
    session_id: z.string(),
    mode: z.enum(LIVENESS_MODES),
    threshold: z.number().int().min(0).max(100),
    challenges: z.array(z.string()),
    challenge_timeout_s: z.number(),
    flash_sequence: flashSequenceSchema.nullable(),
    /** When the first flash colour was shown, on the frames' clock; null without a flash. */
    flash_start_ms: z.number().nullable(),
    status: z.enum(STATUSES),
    result: livenessResultSchema,
  }),
  camera: cameraLockSchema.nullable(),
  model_versions: z.record(z.string(), z.string()),
  frames: z.array(frameRecordSchema).max(MAX_PACK_FRAMES),
});
export type PackManifest = z.infer<typeof packManifestSchema>;

const headerSchema = z.object({
  format: z.literal('liveness-capture-pack'),
  version: z.literal(PACK_FORMAT_VERSION),
  pack_id: z.string(),
  site_id: z.string(),
  created_at: z.string(),
  cipher: z.literal('X25519-HKDF-SHA256-AES-256-GCM'),
  recipient_key_id: z.string().regex(/^[0-9a-f]{16}$/),
  ephemeral_public_key: z.string(),
  iv: z.string(),
});
export type PackHeader = z.infer<typeof headerSchema>;

export interface PackContents {
  manifest: PackManifest;
  /** JPEG bytes per frame, in manifest order. */
  jpegs: Uint8Array[];
}

// ------------------------------------------------------------------ keys

/** A new recipient key pair as PEM (the private key stays with the calibration team, never on a kiosk). */
export function generatePackKeyPair(): { publicPem: string; privatePem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  return {
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** Both halves of a pack key pair are X25519; `subject` names the one at fault in the error. */
function readPackKey(pem: string, half: 'public' | 'private', subject: string): KeyObject {
  return readPemKey(pem, {
    half,
    algorithm: 'x25519',
    notPem: `${subject} is not a PEM ${half} key.`,
    wrongAlgorithm: `${subject} must be an X25519 ${half} key (liveness calibrate keygen).`,
  });
}

export function readPublicKey(pem: string): KeyObject {
  return readPackKey(pem, 'public', 'The pack recipient key');
}

export function readPrivateKey(pem: string): KeyObject {
  return readPackKey(pem, 'private', 'The pack key');
}

function packKey(shared: Buffer, ephemeralDer: Buffer, recipientDer: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, Buffer.concat([ephemeralDer, recipientDer]), HKDF_INFO, 32));
}

// ------------------------------------------------------------------ write

/** Body before encryption: u32le manifest length, manifest JSON, then the JPEGs back to back; gzipped. */
function encodeBody(manifest: PackManifest, jpegs: readonly Uint8Array[]): Buffer {
  const json = Buffer.from(JSON.stringify(manifest), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length, 0);
  return gzipSync(Buffer.concat([length, json, ...jpegs.map((j) => Buffer.from(j.buffer, j.byteOffset, j.byteLength))]));
}

/** Lay out the frames' JPEG offsets in the manifest (in order) and seal the pack to the recipient key. */
export function sealPack(
  manifest: Omit<PackManifest, 'frames'> & { frames: Omit<PackManifest['frames'][number], 'jpeg_offset' | 'jpeg_length'>[] },
  jpegs: readonly Uint8Array[],
  recipient: KeyObject,
): Buffer {
  if (manifest.frames.length !== jpegs.length) throw new CodedError('INTERNAL', 'A pack needs one JPEG per frame record.');
  let offset = 0;
  const frames = manifest.frames.map((f, i) => {
    const record = { ...f, jpeg_offset: offset, jpeg_length: jpegs[i].byteLength };
    offset += jpegs[i].byteLength;
    return record;
  });
  const full = packManifestSchema.parse({ ...manifest, frames });
  const ephemeral = generateKeyPairSync('x25519');
  const ephemeralDer = ephemeral.publicKey.export({ type: 'spki', format: 'der' });
  const recipientDer = recipient.export({ type: 'spki', format: 'der' });
  const key = packKey(diffieHellman({ privateKey: ephemeral.privateKey, publicKey: recipient }), ephemeralDer, recipientDer);
  const iv = randomBytes(12);
  const header: PackHeader = {
    format: 'liveness-capture-pack',
    version: PACK_FORMAT_VERSION,
    pack_id: full.pack_id,
    site_id: full.site_id,
    created_at: full.created_at,
    cipher: 'X25519-HKDF-SHA256-AES-256-GCM',
    recipient_key_id: publicKeyId(recipient),
    ephemeral_public_key: ephemeralDer.toString('base64'),
    iv: iv.toString('base64'),
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(PACK_MAGIC.length + 4);
  prefix.write(PACK_MAGIC, 0, 'ascii');
  prefix.writeUInt32LE(headerBytes.length, PACK_MAGIC.length);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  // The cleartext header is authenticated too: a site or key id cannot be changed without the pack failing to open.
  cipher.setAAD(Buffer.concat([prefix, headerBytes]));
  const body = Buffer.concat([cipher.update(encodeBody(full, jpegs)), cipher.final()]);
  return Buffer.concat([prefix, headerBytes, body, cipher.getAuthTag()]);
}

export function newPackId(): string {
  return randomUUID();
}

// ------------------------------------------------------------------ read

/** The cleartext header of a pack (no key needed): which site, which key opens it. */
export function readPackHeader(bytes: Uint8Array): { header: PackHeader; headerEnd: number } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < PACK_MAGIC.length + 4 || buf.toString('ascii', 0, PACK_MAGIC.length) !== PACK_MAGIC) {
    throw new CodedError('INVALID_PAYLOAD', 'This is not a liveness capture pack (no LVCPACK1 signature).');
  }
  const length = buf.readUInt32LE(PACK_MAGIC.length);
  const headerEnd = PACK_MAGIC.length + 4 + length;
  if (length === 0 || length > 64 * 1024 || headerEnd + 16 > buf.length)
    throw new CodedError('INVALID_PAYLOAD', 'The capture pack is truncated or its header is damaged.');
  let json: unknown;
  try {
    json = JSON.parse(buf.toString('utf8', PACK_MAGIC.length + 4, headerEnd));
  } catch (err) {
    throw new CodedError('INVALID_PAYLOAD', 'The capture pack header is not JSON.', { cause: err });
  }
  const parsed = headerSchema.safeParse(json);
  if (!parsed.success) throw new CodedError('INVALID_PAYLOAD', 'The capture pack header is not a version 1 header.');
  return { header: parsed.data, headerEnd };
}

/** Open a pack with the recipient's private key; a wrong key or any altered byte is a coded error. */
export function openPack(bytes: Uint8Array, privateKey: KeyObject): PackContents {
  if (bytes.byteLength > MAX_PACK_BYTES)
    throw new CodedError('FILE_TOO_LARGE', `A capture pack may be at most ${MAX_PACK_BYTES / 1048576} MB.`);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { header, headerEnd } = readPackHeader(buf);
  const recipient = createPublicKey(privateKey);
  if (publicKeyId(recipient) !== header.recipient_key_id) {
    throw new CodedError(
      'UNAUTHORIZED',
      `This pack was sealed to key ${header.recipient_key_id}, not to the key given (${publicKeyId(recipient)}).`,
    );
  }
  const ephemeralDer = Buffer.from(header.ephemeral_public_key, 'base64');
  let ephemeral: KeyObject;
  try {
    ephemeral = createPublicKey({ key: ephemeralDer, format: 'der', type: 'spki' });
  } catch (err) {
    throw new CodedError('INVALID_PAYLOAD', 'The capture pack header holds a damaged key.', { cause: err });
  }
  const key = packKey(diffieHellman({ privateKey, publicKey: ephemeral }), ephemeralDer, recipient.export({ type: 'spki', format: 'der' }));
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(header.iv, 'base64'));
  decipher.setAAD(buf.subarray(0, headerEnd));
  decipher.setAuthTag(buf.subarray(buf.length - 16));
  let body: Buffer;
  try {
    body = gunzipSync(Buffer.concat([decipher.update(buf.subarray(headerEnd, buf.length - 16)), decipher.final()]), {
      maxOutputLength: MAX_PACK_BYTES,
    });
  } catch (err) {
    throw new CodedError('INVALID_PAYLOAD', 'The capture pack does not open: it was altered or damaged.', { cause: err });
  }
  const length = body.readUInt32LE(0);
  let manifest: PackManifest;
  try {
    manifest = packManifestSchema.parse(JSON.parse(body.toString('utf8', 4, 4 + length)));
  } catch (err) {
    throw new CodedError('INVALID_PAYLOAD', 'The capture pack manifest is not a version 1 manifest.', { cause: err });
  }
  const blob = body.subarray(4 + length);
  const jpegs = manifest.frames.map((f) => {
    if (f.jpeg_offset + f.jpeg_length > blob.length)
      throw new CodedError('INVALID_PAYLOAD', `Frame ${f.index} of the capture pack is truncated.`);
    return new Uint8Array(blob.subarray(f.jpeg_offset, f.jpeg_offset + f.jpeg_length));
  });
  return { manifest, jpegs };
}
