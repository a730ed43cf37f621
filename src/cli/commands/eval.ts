// `liveness eval <folder>`: flags and wiring only. The analysis is src/node/eval/analysis.ts; the text and HTML
// reports are src/node/eval/report-text.ts and report-html.ts.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_THRESHOLD } from '../../shared/bands';
import { CodedError } from '../../shared/errors';
import { parseCommandArgs, parseModes, parsePositiveIntFlag, parseThresholdFlag } from '../args';
import { createEngine } from '../../node/engine/index';
import { parseLabels } from '../../node/eval/labels';
import {
  analyseRow,
  analyseRowInModes,
  fusionProvenance,
  summarise,
  summariseModes,
  type EvalOptions,
  type ModeUnit,
  type UnitResult,
} from '../../node/eval/analysis';
import { renderModesText, renderSummaryText } from '../../node/eval/report-text';
import { renderModesReport, renderReport } from '../../node/eval/report-html';

export const summary = 'APCER/BPCER/ACER on a labelled folder (labels.csv), by PAD score or per kiosk mode';

/** Frames per second for --mode: the challenge and flash detectors need the kiosk's own cadence. */
const MODE_DEFAULT_FPS = 10;
const PAD_DEFAULT_FPS = 2;

const USAGE = `usage: liveness eval <folder> [--mode passive|active|flash|action_flash|all] [--threshold 75] [--json] [--report out.html] [--fps N]

  Reads <folder>/labels.csv (columns path,label,kind,attack,…; label real|spoof|other; kind image|crop|video).
  Without --mode: the fused PAD score of every real and spoof row (videos: frames at --fps, default ${PAD_DEFAULT_FPS}, median frame
  score): face-found rate, APCER per attack type and overall, BPCER, ACER, and the threshold that gives BPCER <= 15%.
  With --mode (one or several, comma-separated, or all): each labelled clip runs through the kiosk's decision core
  in that mode (frames at --fps, default ${MODE_DEFAULT_FPS}), and the table gives APCER per attack species (replay, print,
  mask, other), BPCER and ACER with 95% intervals and counts. Stills are judged in passive mode only. Flash modes
  need the sequence that was shown: a flash_sequence column (a JSON file relative to the folder, optional
  flash_start_ms) or <clip>.flash.json beside the clip; a clip without one is "not applicable", never a pass.
  Clips in any container ffmpeg reads that the engine accepts: MP4, MOV, WebM/MKV, AVI (OpenCV), MPEG-TS, Ogg, FLV.
  --threshold N   pass mark 0-100 (default ${DEFAULT_THRESHOLD})
  --json          print one JSON object as the last stdout line
  --report FILE   write a self-contained HTML report (tables; a DET curve without --mode; no face images)
  --fps N         video sampling rate (2-30)
  --max-bytes N   largest still image read, in bytes (default 20 MB)
Exit code: 0 when every row was analysed, 2 when any row could not be (each is reported), 1 on a usage error.`;

interface CliOptions extends EvalOptions {
  json: boolean;
  report?: string;
}

/** Parsed flags, or null when the usage was printed for --help. */
function parseOptions(argv: string[]): CliOptions | null {
  const parsed = parseCommandArgs(
    argv,
    {
      mode: { type: 'string' },
      threshold: { type: 'string' },
      json: { type: 'boolean', default: false },
      report: { type: 'string' },
      fps: { type: 'string' },
      'max-bytes': { type: 'string' },
    },
    USAGE,
    { positionals: true },
  );
  if (!parsed) return null;
  const { values, positionals } = parsed;
  const modes = parseModes(values.mode);
  const threshold = parseThresholdFlag(values.threshold);
  const fps = values.fps === undefined ? (modes.length ? MODE_DEFAULT_FPS : PAD_DEFAULT_FPS) : Number(values.fps);
  if (!Number.isFinite(fps) || fps < 2 || fps > 30)
    throw new CodedError('INVALID_ARGUMENT', `--fps must be between 2 and 30, not "${values.fps}".`);
  const maxBytes = parsePositiveIntFlag('max-bytes', values['max-bytes'], 20 * 1024 * 1024);
  if (positionals.length !== 1) throw new CodedError('INVALID_ARGUMENT', `give exactly one folder.\n\n${USAGE}`);
  return { folder: positionals[0], threshold, json: values.json, report: values.report, fps, maxBytes, modes };
}

/** Progress on stderr: a bar on a terminal, sparse lines in logs. */
function progress(total: number): (done: number, label: string) => void {
  const tty = Boolean(process.stderr.isTTY);
  let lastStep = -1;
  return (done, label) => {
    if (tty) {
      const width = 30;
      const filled = Math.round((done / total) * width);
      process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label.slice(-40).padEnd(40)}`);
      if (done === total) process.stderr.write('\n');
      return;
    }
    const step = Math.floor((done * 10) / total);
    if (step !== lastStep || done === total) {
      lastStep = step;
      process.stderr.write(`eval: ${done}/${total}\n`);
    }
  };
}

export async function run(argv: string[]): Promise<number> {
  const opts = parseOptions(argv);
  if (!opts) return 0;
  const folder = path.resolve(opts.folder);
  let text: string;
  try {
    text = await readFile(path.join(folder, 'labels.csv'), 'utf8');
  } catch (err) {
    throw new CodedError('FILE_NOT_FOUND', `${path.join(folder, 'labels.csv')} does not exist or cannot be read.`, { cause: err });
  }
  const rows = parseLabels(text);
  const scored = rows.filter((r) => r.label !== 'other');
  const engine = await createEngine();
  const tick = progress(Math.max(1, scored.length));
  const units: UnitResult[] = [];
  const modeUnits: ModeUnit[] = [];
  const provenance = fusionProvenance();
  try {
    for (const [i, row] of scored.entries()) {
      if (!opts.modes.length) units.push(await analyseRow(engine, folder, row, opts, provenance));
      else modeUnits.push(...(await analyseRowInModes(engine, folder, row, opts)));
      tick(i + 1, row.path);
    }
  } finally {
    await engine.close();
  }
  const skippedOther = rows.length - scored.length;
  if (opts.modes.length) {
    const result = summariseModes(modeUnits, opts, skippedOther, engine.modelVersions());
    console.log(renderModesText(result));
    if (opts.report) {
      await writeFile(opts.report, renderModesReport(result), 'utf8');
      console.log(`report written to ${opts.report}`);
    }
    if (opts.json) console.log(JSON.stringify(result));
    return result.modes.some((m) => m.errors > 0) ? 2 : 0;
  }
  const result = summarise(units, opts, skippedOther, provenance, engine.modelVersions());
  console.log(renderSummaryText(result));
  if (opts.report) {
    await writeFile(opts.report, renderReport(result, units), 'utf8');
    console.log(`report written to ${opts.report}`);
  }
  if (opts.json) console.log(JSON.stringify(result));
  return result.n_errors > 0 ? 2 : 0;
}
