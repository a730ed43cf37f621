import { describe, expect, it } from 'vitest';
import type { FaceAnalysis, FrameAnalysis } from '../../src/shared/analysis';
import { ATTACK_FLOOR, bestAngleForRoll, passiveDecision } from '../../src/liveness/passive';

function face(padScore: number, bbox: [number, number, number, number] = [100, 80, 200, 240], roll = 0): FaceAnalysis {
  return {
    bbox,
    confidence: 0.934,
    landmarks: [],
    pose: { yaw: 0, pitch: 0, roll },
    eyes: { left: 1, right: 1 },
    smile: 0,
    mouthOpen: 0,
    quality: { luminance: 55.4, sharpness: 70, faceSize: 0.3, centering: 0.9, occlusion: 0, score: 81.6 },
    pad: { score: padScore, components: {} },
    regions: {
      forehead: [0, 0, 0],
      left_cheek: [0, 0, 0],
      right_cheek: [0, 0, 0],
      nose: [0, 0, 0],
      chin: [0, 0, 0],
      background: [0, 0, 0],
    },
  };
}

function frame(faces: FaceAnalysis[], frameLuminance = 42.2): FrameAnalysis {
  return { width: 640, height: 480, timestampMs: 0, frameLuminance, faces, timings: {} };
}

describe('passiveDecision bands', () => {
  it.each([
    [100, 'Approved'],
    [75, 'Approved'],
    [74.4, 'In Review'],
    [50, 'In Review'],
    [49.6, 'In Review'], // rounds to 50
    [49.4, 'Declined'],
    [0, 'Declined'],
  ])('score %d -> %s at the default threshold', (score, status) => {
    expect(passiveDecision(frame([face(score)])).status).toBe(status);
  });

  it('follows a custom threshold', () => {
    expect(passiveDecision(frame([face(85)]), 90).status).toBe('In Review');
    expect(passiveDecision(frame([face(85)]), 80).status).toBe('Approved');
  });

  it('reports the response shape with rounded numbers', () => {
    const res = passiveDecision(frame([face(88.7, [10.4, 20.6, 100.2, 120.5])]));
    expect(res).toEqual({
      status: 'Approved',
      method: 'PASSIVE',
      score: 89,
      user_image: { entities: [{ bbox: [10, 21, 100, 121], confidence: 0.93 }], best_angle: 0 },
      warnings: [],
      face_quality: 82,
      face_luminance: 55,
    });
  });
});

describe('passiveDecision warnings', () => {
  it('no face: score 0, Declined, NO_FACE_DETECTED only, frame luminance', () => {
    const res = passiveDecision(frame([], 12.6));
    expect(res.status).toBe('Declined');
    expect(res.score).toBe(0);
    expect(res.warnings).toEqual(['NO_FACE_DETECTED']);
    expect(res.face_luminance).toBe(13);
    expect(res.user_image.entities).toEqual([]);
  });

  it('multiple faces: every entity listed, the largest face decides', () => {
    const small = face(10, [0, 0, 50, 50]);
    const large = face(95, [200, 100, 200, 200]);
    const res = passiveDecision(frame([small, large]));
    expect(res.user_image.entities).toHaveLength(2);
    expect(res.score).toBe(95);
    expect(res.warnings).toEqual(['MULTIPLE_FACES_DETECTED']);
  });

  it('low score below threshold but above the attack floor', () => {
    expect(passiveDecision(frame([face(60)])).warnings).toEqual(['LOW_LIVENESS_SCORE']);
  });

  it('attack floor', () => {
    expect(passiveDecision(frame([face(ATTACK_FLOOR - 1)])).warnings).toEqual(['LOW_LIVENESS_SCORE', 'LIVENESS_FACE_ATTACK']);
    expect(passiveDecision(frame([face(ATTACK_FLOOR)])).warnings).toEqual(['LOW_LIVENESS_SCORE']);
  });

  it('a non-finite PAD score is never approved', () => {
    expect(passiveDecision(frame([face(Number.NaN)])).status).toBe('Declined');
  });
});

describe('best_angle', () => {
  it.each([
    [0, 0],
    [30, 0],
    [-44, 0],
    [90, 270],
    [-90, 90],
    [180, 180],
    [-175, 180],
  ])('roll %d -> rotate %d clockwise', (roll, angle) => {
    expect(bestAngleForRoll(roll)).toBe(angle);
    expect(passiveDecision(frame([face(80, [0, 0, 10, 10], roll)])).user_image.best_angle).toBe(angle);
  });
});
