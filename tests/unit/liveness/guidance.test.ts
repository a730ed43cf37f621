// Positioning guidance: "hold still" only while positioning/capturing, with limits that follow the frame gap.
import { describe, expect, it } from 'vitest';
import { frameGuidance, POSITIONING } from '../../../src/liveness/guidance';
import { makeFrame, NEUTRAL } from '../../../src/testkit/synthetic-frames';

const turned = (degrees: number) => makeFrame(0, { ...NEUTRAL, yaw: NEUTRAL.yaw + degrees });

describe('hold_still', () => {
  const previous = makeFrame(0, NEUTRAL).faces[0];

  it('asks a moving face to hold still while positioning, at the reference frame gap', () => {
    expect(frameGuidance(turned(10), previous, 'positioning', POSITIONING.stillReferenceGapMs)).toContain('hold_still');
    expect(frameGuidance(turned(2), previous, 'positioning', POSITIONING.stillReferenceGapMs)).not.toContain('hold_still');
  });

  it('allows more drift between frames that arrive further apart, up to stillMaxScale', () => {
    const gap = POSITIONING.stillReferenceGapMs * POSITIONING.stillMaxScale;
    expect(frameGuidance(turned(10), previous, 'positioning', gap)).not.toContain('hold_still');
    expect(frameGuidance(turned(POSITIONING.stillDegrees * POSITIONING.stillMaxScale + 2), previous, 'positioning', 60_000)).toContain(
      'hold_still',
    );
  });

  it('is never asked during a challenge or the flash (those are movements or need none)', () => {
    expect(frameGuidance(turned(25), previous, 'challenge')).not.toContain('hold_still');
    expect(frameGuidance(turned(25), previous, 'flash')).not.toContain('hold_still');
    expect(frameGuidance(turned(25), previous, 'capturing')).toContain('hold_still');
  });
});
