// `liveness check <file…>`: passive liveness of still images, one JSON line (or table row) per file.
import { open } from 'node:fs/promises';
import { DEFAULT_THRESHOLD } from '../../shared/bands';
import { LIVENESS_MODES, type LivenessMode } from '../../shared/catalogue';
import { CodedError, toCodedError, type CodedErrorShape } from '../../shared/errors';
import type { Engine } from '../../node/engine/api';
import { DEFAULT_MAX_IMAGE_BYTES, readStillFile } from '../../node/engine/decode';
import { createEngine } from '../../node/engine/index';
import { sniffVideo } from '../../node/engine/video';
import { assertRegularFile } from '../../node/regular-file';
import type { LivenessResult } from '../../shared/result';
import { passiveDecision, type PassiveResponse } from '../../liveness/passive';
import { parseCommandArgs, parsePositiveIntFlag, parseThresholdFlag } from '../args';
import { CLIP_ARG_OPTIONS, CLIP_USAGE, checkClipFile, parseClipOptions } from '../check-clip';
import type { CheckLine, CheckOptions } from '../check-types';

export type { CheckLine, CheckOptions } from '../check-types';

export const summary = 'passive (or --mode active|flash|action_flash) liveness of images and clips';

/** Passive check of one still image file. Never throws: a bad file becomes an error line. */
export async function checkStill(engine: Engine, file: string, opts: CheckOptions): Promise<CheckLine> {
  try {
    const bytes = await readStillFile(file, { maxBytes: opts.maxBytes });
    const analysis = await engine.analyzeImage(bytes, { maxBytes: opts.maxBytes });
    return { request_id: globalThis.crypto.randomUUID(), file, liveness: passiveDecision(analysis, opts.threshold) };
  } catch (err) {
    return { file, error: codedOf(err) };
  }
}

/** Route one file: clips to the clip handler, everything else to the still-image check. */
export async function checkFile(engine: Engine, file: string, opts: CheckOptions): Promise<CheckLine> {
  try {
    await assertRegularFile(file);
  } catch (err) {
    return { file, error: codedOf(err) };
  }
  const head = await readHead(file);
  if (head && sniffVideo(head)) {
    return checkClipFile(engine, file, opts);
  }
  if (opts.mode !== 'passive') {
    return {
      file,
      error: { code: 'INVALID_ARGUMENT', message: `--mode ${opts.mode} needs a video clip; a still image can only be checked passively.` },
    };
  }
  return checkStill(engine, file, opts);
}

async function readHead(file: string): Promise<Uint8Array | null> {
  try {
    const handle = await open(file, 'r');
    try {
      const head = new Uint8Array(64);
      const { bytesRead } = await handle.read(head, 0, head.length, 0);
      return head.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch {
    return null; // checkStill reports the missing file with its coded error
  }
}

function codedOf(err: unknown): CodedErrorShape {
  if (err instanceof CodedError) return err.toJSON();
  const coded = toCodedError(err);
  return coded;
}

const USAGE = `usage: liveness check <file…> [--threshold 75] [--json] [--max-bytes N] [--mode passive] [--db q.sqlite]

  Passive liveness of still images (JPEG, PNG, WebP, TIFF; at most 5 MB each by default).
  --threshold N   pass mark 0-100 (default ${DEFAULT_THRESHOLD})
  --json          one JSON line per file
  --max-bytes N   largest accepted image in bytes (default ${DEFAULT_MAX_IMAGE_BYTES})
  --mode M        passive (default); active|flash|action_flash need clips
  --db FILE       record each decision in this offline queue (then: liveness sync)
${CLIP_USAGE}
Exit code: 0 when every file was analysed, 2 when any was not, 1 on a usage error.`;

/** Parsed flags, or null when the usage was printed for --help. */
function parseOptions(argv: string[]): { files: string[]; json: boolean; opts: CheckOptions; db: string | undefined } | null {
  const parsed = parseCommandArgs(
    argv,
    {
      threshold: { type: 'string' },
      json: { type: 'boolean', default: false },
      'max-bytes': { type: 'string' },
      mode: { type: 'string' },
      ...CLIP_ARG_OPTIONS,
      // --db: record each decision in the kiosk's offline queue (src/node/store).
      db: { type: 'string' },
    },
    USAGE,
    { positionals: true },
  );
  if (!parsed) return null;
  const { values, positionals } = parsed;
  const threshold = parseThresholdFlag(values.threshold);
  const maxBytes = parsePositiveIntFlag('max-bytes', values['max-bytes'], DEFAULT_MAX_IMAGE_BYTES);
  const mode = (values.mode ?? 'passive') as LivenessMode;
  if (!LIVENESS_MODES.includes(mode)) throw new CodedError('INVALID_ARGUMENT', `--mode must be one of ${LIVENESS_MODES.join(', ')}.`);
  if (positionals.length === 0) throw new CodedError('INVALID_ARGUMENT', `no files given\n\n${USAGE}`);
  return { files: positionals, json: values.json, opts: { threshold, maxBytes, mode, clip: parseClipOptions(values) }, db: values.db };
}

function tableRow(line: CheckLine): string[] {
  if ('error' in line) return [line.file, 'ERROR', '', '', line.error.code, line.error.message];
  if ('liveness_score' in line.liveness) {
    // A clip's LivenessResult (H6).
    const r = line.liveness as unknown as LivenessResult;
    return [
      line.file,
      r.status,
      String(r.liveness_score),
      '',
      r.warnings.join(' ') || '-',
      `${r.liveness_mode}; challenges ${r.challenges_completed.join(',') || '-'}`,
    ];
  }
  const l = line.liveness as PassiveResponse;
  return [
    line.file,
    l.status,
    String(l.score),
    String(l.user_image?.entities?.length ?? ''),
    (l.warnings ?? []).join(' ') || '-',
    `quality ${l.face_quality}, luminance ${l.face_luminance}`,
  ];
}

function printTable(rows: string[][]): void {
  const header = ['file', 'status', 'score', 'faces', 'warnings', 'notes'];
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  for (const r of all) console.log(r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  '));
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseOptions(argv);
  if (!parsed) return 0;
  // The store first: a bad --db is reported before the engine's worker thread exists to keep the process alive.
  const store = parsed.db ? (await import('../../node/store/store')).openStore({ path: parsed.db }) : null;
  if (store?.recovery) console.error(`liveness check: ${store.recovery.code}: ${store.recovery.message}`);
  let engine: Engine;
  try {
    engine = await createEngine();
  } catch (err) {
    store?.close();
    throw err;
  }
  let failures = 0;
  const rows: string[][] = [];
  try {
    for (const file of parsed.files) {
      const line = await checkFile(engine, file, parsed.opts);
      if ('error' in line) failures++;
      else if (store) {
        const { recordCheckedFile } = await import('../../node/store/check-record');
        const bytes = await readStillFile(file, { maxBytes: parsed.opts.maxBytes }).catch(() => null);
        await recordCheckedFile(store, line, { bytes, threshold: parsed.opts.threshold, modelVersions: engine.modelVersions() });
      }
      if (parsed.json) console.log(JSON.stringify(line));
      else rows.push(tableRow(line));
    }
  } finally {
    store?.close();
    await engine.close();
  }
  if (!parsed.json) printTable(rows);
  return failures ? 2 : 0;
}
