// Every subcommand parses its flags the same way: strict, `-h/--help` prints the usage, a bad flag is a coded error.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DEFAULT_THRESHOLD } from '../shared/bands';
import { LIVENESS_MODES, type LivenessMode } from '../shared/catalogue';
import { CodedError } from '../shared/errors';

type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Parsed flags, or null when `--help` was asked for (the usage has been printed). */
export function parseCommandArgs<const O extends OptionSpec>(argv: string[], options: O, usage: string, { positionals = false } = {}) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h', default: false } },
      strict: true,
      allowPositionals: positionals,
    });
  } catch (err) {
    throw new CodedError('INVALID_ARGUMENT', `${(err as Error).message}\n\n${usage}`);
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(usage);
    return null;
  }
  return parsed;
}

/** `--threshold`: the brief's integer pass mark 0-100. */
export function parseThresholdFlag(value: string | undefined): number {
  const threshold = value === undefined ? DEFAULT_THRESHOLD : Number(value);
  if (!Number.isInteger(threshold) || threshold < 0 || threshold > 100) {
    throw new CodedError('INVALID_ARGUMENT', `--threshold must be an integer 0-100, not "${value}".`);
  }
  return threshold;
}

/** A positive whole-number flag such as `--max-bytes`. */
export function parsePositiveIntFlag(name: string, value: string | undefined, fallback: number): number {
  const n = value === undefined ? fallback : Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new CodedError('INVALID_ARGUMENT', `--${name} must be a positive integer, not "${value}".`);
  return n;
}

/** A comma-separated flag whose every item is one of `allowed`; `takes` (what the flag takes) opens the error. */
export function parseListFlag<T extends string>(text: string, allowed: readonly T[], takes: string): T[] {
  const list = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = list.filter((item) => !(allowed as readonly string[]).includes(item));
  if (bad.length || list.length === 0) throw new CodedError('INVALID_ARGUMENT', `${takes}; "${bad.join(',') || text}" is not one.`);
  return list as T[];
}

/** `--mode a,b` (or `all`): each kiosk mode once, in the order given. */
export function parseModes(text: string | undefined): LivenessMode[] {
  if (text === undefined) return [];
  if (text === 'all') return [...LIVENESS_MODES];
  return [...new Set(parseListFlag(text, LIVENESS_MODES, `--mode takes ${LIVENESS_MODES.join(', ')} (comma-separated) or all`))];
}
