// `liveness` entry: dispatches to one module per subcommand, loaded only when used (start-up stays fast).
import { CodedError, toCodedError } from '../shared/errors';

type Command = { run(argv: string[]): Promise<number>; summary: string };

const COMMANDS: Record<string, () => Promise<Command>> = {
  check: () => import('./commands/check'),
  eval: () => import('./commands/eval'),
  'face-eval': () => import('./commands/face-eval'),
  calibrate: () => import('./commands/calibrate'),
  bench: () => import('./commands/bench'),
  'face-bench': () => import('./commands/face-bench'),
  'build-models': () => import('./commands/build-models'),
  kiosk: () => import('./commands/kiosk'),
  server: () => import('./commands/server'),
  admin: () => import('./commands/admin'),
  queue: () => import('./commands/queue'),
  sync: () => import('./commands/sync'),
};

function usage(): string {
  return [
    'usage: liveness <command> [options]',
    '',
    '  check <file…>          passive (or --mode active|flash|action_flash) liveness of images and clips',
    '  eval <folder>          APCER/BPCER/ACER on a labelled folder (labels.csv), by PAD score or per kiosk mode',
    '  face-eval <folder>     FNMR/FMR and DET curve of face matching on identity-labelled photos',
    '  calibrate <packs…>     pool pilot capture packs: refit constants, APCER/BPCER with 95% intervals',
    '  bench                  per-stage latency against the original runtime',
    '  face-bench             1:N face search: SQLite exact vs pgvector HNSW, latency and recall',
    '  build-models           build models/*.onnx from npm-shipped weights and verify them',
    '  kiosk                  serve the kiosk UI and its API to a browser in kiosk mode',
    '  server                 the central API that kiosks sync to',
    '  admin create           a console account (the first admin; no default account exists)',
    '  queue                  the local decision queue',
    '  sync                   send queued decisions to the central API',
    '',
    'Run `liveness <command> --help` for the options of one command.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 1;
  }
  const load = COMMANDS[name];
  if (!load) {
    console.error(`liveness: unknown command "${name}"\n\n${usage()}`);
    return 1;
  }
  try {
    const command = await load();
    return await command.run(rest);
  } catch (err) {
    const coded = toCodedError(err);
    console.error(`liveness ${name}: ${coded.code}: ${err instanceof CodedError ? coded.message : String((err as Error)?.message ?? err)}`);
    return 1;
  }
}
