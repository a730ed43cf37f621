#!/usr/bin/env node
// The `liveness` command. Sources are TypeScript run through tsx, so `npx liveness` works right after install.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
// Exit once output is flushed: a command has finished its work, so a lingering handle (a worker, a socket a failed
// step left open) must not keep the process alive.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
