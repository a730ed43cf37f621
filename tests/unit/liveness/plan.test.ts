import { describe, expect, it } from 'vitest';
import { createLivenessSession } from '../../../src/liveness/session';
import { buildPlan } from '../../../src/liveness/plan';
import { cryptoRandom, randomInt, seededRandom, shuffled } from '../../../src/liveness/random';
import { parseLivenessConfig } from '../../../src/shared/config';
import { CHALLENGES } from '../../../src/shared/catalogue';

const active = parseLivenessConfig({ liveness_mode: 'active' });

describe('challenge order', () => {
  it('every one of the 24 orders of 4 challenges appears over 2000 sessions drawn from the platform CSPRNG', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const order = createLivenessSession(active).plan.challenges.join(',');
      counts.set(order, (counts.get(order) ?? 0) + 1);
    }
    expect(counts.size).toBe(24);
    for (const order of counts.keys()) expect(order.split(',').sort()).toEqual([...CHALLENGES].sort());
  });

  it('orders are uniform: chi-square over 24 cells stays under the p=0.001 critical value (seeded, reproducible)', () => {
    const counts = new Map<string, number>();
    const n = 2400;
    for (let i = 0; i < n; i++) {
      const order = createLivenessSession(active, { seed: `order-${i}` }).plan.challenges.join(',');
      counts.set(order, (counts.get(order) ?? 0) + 1);
    }
    expect(counts.size).toBe(24);
    const expected = n / 24;
    const chi2 = [...counts.values()].reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    // 23 degrees of freedom: p = 0.001 at 49.7.
    expect(chi2).toBeLessThan(49.7);
    // And not suspiciously perfect either (p = 0.999 lower tail at 9.26).
    expect(chi2).toBeGreaterThan(9.26);
  });

  it('position of each challenge is uniform over sessions (each challenge first about 1/4 of the time)', () => {
    const first = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const c = buildPlan(active, seededRandom(`first-${i}`)).challenges[0];
      first.set(c, (first.get(c) ?? 0) + 1);
    }
    for (const c of CHALLENGES) {
      expect(first.get(c)! / 2000).toBeGreaterThan(0.2);
      expect(first.get(c)! / 2000).toBeLessThan(0.3);
    }
  });

  it('seeded sessions are reproducible and different seeds differ', () => {
    const a = createLivenessSession(parseLivenessConfig({ liveness_mode: 'action_flash' }), { seed: 's1' }).plan;
    const b = createLivenessSession(parseLivenessConfig({ liveness_mode: 'action_flash' }), { seed: 's1' }).plan;
    const c = createLivenessSession(parseLivenessConfig({ liveness_mode: 'action_flash' }), { seed: 's2' }).plan;
    expect(a).toEqual(b);
    expect(c.flash?.seed).not.toBe(a.flash?.seed);
  });
});

describe('plans per mode', () => {
  it('passive has no challenge and no flash; active uses all configured challenges', () => {
    const passive = buildPlan(parseLivenessConfig({}), cryptoRandom);
    expect(passive.challenges).toEqual([]);
    expect(passive.flash).toBeNull();
    const some = buildPlan(parseLivenessConfig({ liveness_mode: 'active', liveness_challenges: ['smile', 'blink'] }), cryptoRandom);
    expect([...some.challenges].sort()).toEqual(['blink', 'smile']);
    expect(some.challengeWindowMs).toBe(8000);
  });

  it('flash has a flash sequence and no challenge; action_flash has ONE configured challenge and a flash', () => {
    const flash = buildPlan(parseLivenessConfig({ liveness_mode: 'flash' }), cryptoRandom);
    expect(flash.challenges).toEqual([]);
    expect(flash.flash?.steps.length).toBeGreaterThanOrEqual(2);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const plan = buildPlan(
        parseLivenessConfig({ liveness_mode: 'action_flash', liveness_challenges: ['smile', 'head_left'] }),
        seededRandom(`af-${i}`),
      );
      expect(plan.challenges).toHaveLength(1);
      expect(plan.flash).not.toBeNull();
      seen.add(plan.challenges[0]);
    }
    expect([...seen].sort()).toEqual(['head_left', 'smile']);
  });

  it('no_flash replaces the flash by an extra challenge that always includes a head turn', () => {
    for (let i = 0; i < 100; i++) {
      const random = seededRandom(`nf-${i}`);
      const flash = buildPlan(parseLivenessConfig({ liveness_mode: 'flash', no_flash: true }), random);
      expect(flash.flash).toBeNull();
      expect(flash.noFlashSubstitute).toBe(true);
      expect(flash.challenges).toHaveLength(1);
      expect(['head_left', 'head_right']).toContain(flash.challenges[0]);
      const af = buildPlan(
        parseLivenessConfig({ liveness_mode: 'action_flash', no_flash: true, liveness_challenges: ['blink', 'smile'] }),
        random,
      );
      expect(af.flash).toBeNull();
      expect(af.challenges).toHaveLength(2);
      expect(af.challenges.some((c) => c === 'head_left' || c === 'head_right')).toBe(true);
    }
  });
});

describe('random helpers', () => {
  it('randomInt is unbiased over a small range and shuffled keeps the elements', () => {
    const random = seededRandom('int');
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[randomInt(random, 3)]++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(120);
    expect(shuffled(random, [1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(() => randomInt(random, 0)).toThrow(/randomInt/);
  });

  it('a bad configuration is a coded error', () => {
    expect(() => createLivenessSession({ ...active, liveness_threshold: 101 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});
