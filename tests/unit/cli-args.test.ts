import { describe, expect, it } from 'vitest';
import { parseClipOptions } from '../../src/cli/check-clip';
import { parseCommandArgs, parseListFlag, parseModes, parsePositiveIntFlag, parseThresholdFlag } from '../../src/cli/args';

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

  it('takes a comma-separated list of known names, in the order given, and names what it refused', () => {
    const names = ['blink', 'smile', 'head_left'] as const;
    expect(parseListFlag(' smile, blink,,smile ', names, '--x takes names')).toEqual(['smile', 'blink', 'smile']);
    expect(() => parseListFlag('smile,wink,nod', names, '--x takes names')).toThrow('--x takes names; "wink,nod" is not one.');
    expect(() => parseListFlag(' , ', names, '--x takes names')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => parseListFlag(' , ', names, '--x takes names')).toThrow('" , " is not one.');
  });

  it("takes the clip's challenge lists in the order given and refuses an unknown challenge", () => {
    expect(parseClipOptions({ challenges: 'smile,blink', 'expect-order': 'blink' })).toMatchObject({
      challenges: ['smile', 'blink'],
      expectOrder: ['blink'],
    });
    expect(() => parseClipOptions({ 'expect-order': 'blink,wink' })).toThrow(
      '--expect-order takes a comma-separated list of head_left, head_right, smile, blink; "wink" is not one.',
    );
  });

  it('parses --mode lists and refuses unknown modes with a coded error', () => {
    expect(parseModes(undefined)).toEqual([]);
    expect(parseModes('all')).toEqual(['passive', 'active', 'flash', 'action_flash']);
    expect(parseModes('flash,passive,flash')).toEqual(['flash', 'passive']);
    expect(() => parseModes('video')).toThrow(
      '--mode takes passive, active, flash, action_flash (comma-separated) or all; "video" is not one.',
    );
  });

  it('answers an unknown flag or a stray argument with a coded usage error, and --help with null', () => {
    const options = { json: { type: 'boolean', default: false } } as const;
    expect(() => parseCommandArgs(['--nope'], options, 'usage: x')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => parseCommandArgs(['stray'], options, 'usage: x')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(parseCommandArgs(['stray', '--json'], options, 'usage: x', { positionals: true })?.positionals).toEqual(['stray']);
    expect(parseCommandArgs(['--help'], options, 'usage: x')).toBeNull();
  });
});
