// Face identity arithmetic: verification error rates, the cosine -> score bands, mesh alignment, blocklist matching.
import { describe, expect, it } from 'vitest';
import {
  COSINE_AT_MATCH,
  COSINE_AT_POSSIBLE_MATCH,
  identityBand,
  SCORE_MATCH,
  SCORE_POSSIBLE_MATCH,
  similarityScore,
} from '../../src/shared/face-match';
import { equalErrorRate, fnmrAtFmr, pairIndices, ratesAt } from '../../src/node/eval/face-verification';
import { alignmentAffine, ageFromSoftmax, l2Normalize } from '../../src/node/engine/face-embedding';
import { applyImage } from './face-identity-support';
import { applyBlocklistHit, matchBlocklist } from '../../src/node/kiosk/blocklist';
import type { LivenessResult } from '../../src/shared/result';

describe('verification error rates', () => {
  it('splits pairs by identity', () => {
    expect(pairIndices(['a', 'a', 'b'])).toEqual({
      genuine: [[0, 1]],
      impostor: [
        [0, 2],
        [1, 2],
      ],
    });
  });

  it('FNMR at a target FMR puts the threshold just above the allowed impostors', () => {
    const scores = { genuine: [0.9, 0.8, 0.7, 0.6], impostor: [0.1, 0.2, 0.3, 0.65, 0.75] };
    // FMR 0.2 of 5 impostors allows one: the threshold sits just above 0.65, so 0.75 is the only false match.
    const op = fnmrAtFmr(scores, 0.2);
    expect(op.fmr).toBe(0.2);
    expect(op.fnmr).toBe(0.25); // 0.6 is rejected
    expect(op.resolvable).toBe(true);
    expect(fnmrAtFmr(scores, 1e-3).resolvable).toBe(false);
    expect(ratesAt(scores, 0.7)).toEqual({ fmr: 0.2, fnmr: 0.25 });
    expect(ratesAt(scores, 0.5)).toEqual({ fmr: 0.4, fnmr: 0 });
    expect(equalErrorRate({ genuine: [0.9, 0.8], impostor: [0.1, 0.2] })).toBe(0);
  });
});

describe('similarity score bands', () => {
  it('maps the measured cosines onto the documented scores, monotonically, within 0-100', () => {
    expect(similarityScore(COSINE_AT_POSSIBLE_MATCH)).toBe(SCORE_POSSIBLE_MATCH);
    expect(similarityScore(COSINE_AT_MATCH)).toBe(SCORE_MATCH);
    expect(similarityScore(-0.3)).toBe(0);
    expect(similarityScore(1)).toBe(100);
    const samples = Array.from({ length: 101 }, (_, i) => similarityScore(i / 100));
    for (let i = 1; i < samples.length; i++) expect(samples[i]).toBeGreaterThanOrEqual(samples[i - 1]);
    expect(identityBand(SCORE_MATCH)).toBe('match');
    expect(identityBand(SCORE_POSSIBLE_MATCH)).toBe('possible');
    expect(identityBand(SCORE_POSSIBLE_MATCH - 0.01)).toBe('none');
  });
});

describe('alignment and heads', () => {
  it('the similarity fit maps the template onto the mesh points exactly when they are a scaled, rotated template', () => {
    const landmarks = applyImage({ scale: 2.5, angle: 0.3, dx: 100, dy: 50 });
    const t = alignmentAffine(landmarks, 112, 1);
    // The template's left eye centre (38.2946, 51.6963) lands on the mesh's left eye centre.
    const [u, v] = [38.2946, 51.6963];
    const x = t.a * u + t.b * v + t.c;
    const y = t.d * u + t.e * v + t.f;
    const eye = [(landmarks[33][0] + landmarks[133][0]) / 2, (landmarks[33][1] + landmarks[133][1]) / 2];
    expect(x).toBeCloseTo(eye[0], 6);
    expect(y).toBeCloseTo(eye[1], 6);
  });

  it('age is the expectation of the softmax; normalisation gives unit length', () => {
    const p = new Float32Array(100);
    p[30] = 0.5;
    p[40] = 0.5;
    expect(ageFromSoftmax(p)).toBeCloseTo(35, 5);
    const n = l2Normalize(Float32Array.from([3, 4]));
    expect(Array.from(n)).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.8, 6)]);
    expect(() => l2Normalize(new Float32Array(4))).toThrow(/zeros/);
  });
});

describe('kiosk blocklist matching', () => {
  const unit = (values: number[]) => l2Normalize(Float32Array.from(values));
  const faces = [{ entryUuid: 'e1', listUuid: 'l1', label: null, embedding: unit([1, 0, 0]) }];
  const base = { status: 'Approved', warnings: [], score_details: { liveness: 90 } } as unknown as LivenessResult;

  it('a confirmed hit declines with no retry and records the entry; a possible hit sends Approved to review', () => {
    const hit = matchBlocklist(faces, unit([1, 0.05, 0]))!;
    expect(hit).toMatchObject({ warning: 'FACE_IN_BLOCKLIST', entryUuid: 'e1' });
    expect(applyBlocklistHit(base, hit)).toMatchObject({
      status: 'Declined',
      warnings: ['FACE_IN_BLOCKLIST'],
      retry_allowed: false,
      score_details: { liveness: 90, blocklist_entry_uuid: 'e1' },
    });
    // A vector at cosine between the two band edges is a possible match.
    const c = (COSINE_AT_MATCH + COSINE_AT_POSSIBLE_MATCH) / 2;
    const possible = matchBlocklist(faces, unit([c, Math.sqrt(1 - c * c), 0]))!;
    expect(possible.warning).toBe('POSSIBLE_FACE_IN_BLOCKLIST');
    expect(applyBlocklistHit(base, possible).status).toBe('In Review');
    expect(matchBlocklist(faces, unit([0, 1, 0]))).toBeNull();
    expect(matchBlocklist([], unit([1, 0, 0]))).toBeNull();
  });
});
