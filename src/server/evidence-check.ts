// Re-verify a stored kiosk record from scratch: its hash, the kiosk's signature, its link to the previous record,
// and the reference image against the hash inside the signed record.
import { checkSignedHash, sha256Hex, type EvidenceRecord } from '../node/sync/evidence';
import type { DecisionRow, Storage } from './storage';

export interface RecordVerification {
  hash_matches: boolean;
  signature_valid: boolean;
  /** linked: prev_hash is the hash of the device's previous record; genesis: first record; unavailable: that record was erased or never held. */
  chain: 'linked' | 'genesis' | 'broken' | 'unavailable';
  image_matches: boolean | null;
  verified: boolean;
}

export async function verifyStoredRecord(storage: Storage, row: DecisionRow, image: Buffer | null): Promise<RecordVerification> {
  const record = JSON.parse(row.record_json) as EvidenceRecord;
  const device = await storage.getDevice(row.device_id);
  const { hashMatches, signatureValid } = checkSignedHash(record, row.hash, row.signature, device?.public_key_pem ?? null);
  let chain: RecordVerification['chain'];
  if (Number(row.seq) === 1) chain = /^0+$/.test(row.prev_hash) ? 'genesis' : 'broken';
  else {
    const previous = await storage.previousRecordOf(row.device_id, Number(row.seq));
    chain = !previous ? 'unavailable' : previous.hash === row.prev_hash ? 'linked' : 'broken';
  }
  const imageMatches = image === null ? null : record.image_sha256 !== null && sha256Hex(image) === record.image_sha256;
  return {
    hash_matches: hashMatches,
    signature_valid: signatureValid,
    chain,
    image_matches: imageMatches,
    verified: hashMatches && signatureValid && chain !== 'broken' && imageMatches !== false,
  };
}
