import { describe, expect, it } from 'vitest';
import { parseCommandArgs, parsePositiveIntFlag, parseThresholdFlag } from '../../src/cli/args';

describe('CLI flag parsing shared by every subcommand', () => {
  it('takes the brief threshold as an integer 0-100, 75 by default', () => {
    expect(parseThresholdFlag(undefined)).toBe(75);
    expect(parseThresholdFlag('0')).toBe(0);
    expect(parseThresholdFlag('100')).toBe(100);
    for (const bad of ['7.5', '-1', '101', 'high']) expect(() => parseThresholdFlag(bad)).toThrow(/INVALID|threshold/);
  });

  it('refuses a positive-integer flag that is not one', () => {
    expect(parsePositiveIntFlag('max-bytes', undefined, 5)).toBe(5);
    expect(parsePositiveIntFlag('max-bytes', '1024', 5)).toBe(1024);
    for (const bad of ['0', '-3', '1.5', 'big']) expect(() => parsePositiveIntFlag('max-bytes', bad, 5)).toThrow(/--max-bytes/);
  });

  it('answers an unknown flag or a stray argument with a coded usage error, and --help with null', () => {
    const options = { json: { type: 'boolean', default: false } } as const;
    expect(() => parseCommandArgs(['--nope'], options, 'usage: x')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => parseCommandArgs(['stray'], options, 'usage: x')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(parseCommandArgs(['stray', '--json'], options, 'usage: x', { positionals: true })?.positionals).toEqual(['stray']);
    expect(parseCommandArgs(['--help'], options, 'usage: x')).toBeNull();
  });
});
