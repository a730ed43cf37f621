// Every subcommand parses its flags the same way: strict, `-h/--help` prints the usage, a bad flag is a coded error.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CodedError } from '../shared/errors';

type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Parsed flags, or null when `--help` was asked for (the usage has been printed). */
export function parseCommandArgs<const O extends OptionSpec>(argv: string[], options: O, usage: string, { positionals = false } = {}) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h', default: false } }, strict: true, allowPositionals: positionals });
  } catch (err) {
    throw new CodedError('INVALID_ARGUMENT', `${(err as Error).message}\n\n${usage}`);
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(usage);
    return null;
  }
  return parsed;
}
