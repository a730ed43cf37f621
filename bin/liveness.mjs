#!/usr/bin/env node
// The `liveness` command. Sources are TypeScript run through tsx, so `npx liveness` works right after install.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
