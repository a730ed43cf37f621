// `liveness eval <folder>`: run the engine over a labelled folder (labels.csv) and report ISO/IEC 30107-3 style
// PAD error rates per kind, overall and per attack type, with the in-sample / held-out status of the fused score.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_THRESHOLD, normalizeScore } from '../../shared/bands';
import { parseCommandArgs, parsePositiveIntFlag, parseThresholdFlag } from '../args';
import { CodedError, toCodedError, type CodedErrorShape } from '../../shared/errors';
import type { Engine } from '../../node/engine/api';
import { readStillFile } from '../../node/engine/decode';
import { createEngine } from '../../node/engine/index';
import { attackFamily, parseLabels, type LabelRow } from '../../node/eval/labels';
import { detCurve, errorRates, thresholdAtBpcer, type DetPoint, type ScoredSample } from '../../node/eval/metrics';
import fusionJson from '../../node/engine/pad-fusion.json';
import { decodeVideoFrames } from '../../node/engine/video';

export const summary = 'APCER/BPCER/ACER on a labelled folder (labels.csv)';

const USAGE = `usage: liveness eval <folder> [--threshold 75] [--json] [--report out.html] [--fps 2]

  Reads <folder>/labels.csv (columns path,label,kind,attack,…; label real|spoof|other; kind image|crop|video),
  analyses every real and spoof row with the engine (videos: frames at --fps, one verdict per video = the median
  frame score) and prints face-found rate, APCER per attack type and overall, BPCER, ACER, and the threshold that
  gives BPCER <= 15% with the APCER there, per kind and overall.
  --threshold N   pass mark 0-100 (default ${DEFAULT_THRESHOLD}); a unit is accepted as live when score >= N
  --json          print one JSON object as the last stdout line
  --report FILE   write a self-contained HTML report (tables and a DET curve; no face images)
  --fps N         video sampling rate (default 2, at least 2)
  --max-bytes N   largest still image read, in bytes (default 20 MB)
Exit code: 0 when every row was analysed, 2 when any row could not be (each is reported), 1 on a usage error.`;

interface EvalOptions {
  folder: string;
  threshold: number;
  json: boolean;
  report?: string;
  fps: number;
  maxBytes: number;
}

/** One evaluated row: an image, a crop or a whole video. */
export interface UnitResult {
  line: number;
  path: string;
  label: 'real' | 'spoof';
  kind: LabelRow['kind'];
  attack: string;
  source: string;
  /** 0-100 fused PAD score (median over frames for a video); null when no face was found or on error. */
  score: number | null;
  faceFound: boolean;
  /** Video: frames analysed and frames with a face. */
  frames?: { analysed: number; withFace: number };
  /** The file was among those the committed fusion was fitted on (its score is in-sample). */
  inFusionFit: boolean;
  error?: CodedErrorShape;
}

// ------------------------------------------------------------------ fusion provenance

interface FusionProvenance {
  sources: string[];
  fileHashes: Set<string>;
  crossValidation: Record<string, unknown> | null;
}

function fusionProvenance(): FusionProvenance {
  const json = fusionJson as unknown as {
    fitted_on?: { sources?: string[]; rows?: { sha256_16: string }[] };
    cross_validation?: Record<string, unknown>;
  };
  return {
    sources: json.fitted_on?.sources ?? [],
    fileHashes: new Set((json.fitted_on?.rows ?? []).map((r) => r.sha256_16)),
    crossValidation: json.cross_validation ?? null,
  };
}

// ------------------------------------------------------------------ analysis

const median = (values: number[]): number => {
  const s = values.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function sha16(file: string): Promise<string | null> {
  try {
    return createHash('sha256').update(await readFile(file)).digest('hex').slice(0, 16);
  } catch {
    return null;
  }
}

async function analyseRow(engine: Engine, folder: string, row: LabelRow, opts: EvalOptions, provenance: FusionProvenance): Promise<UnitResult> {
  const file = path.resolve(folder, row.path);
  const base: UnitResult = {
    line: row.line,
    path: row.path,
    label: row.label as UnitResult['label'],
    kind: row.kind,
    attack: attackFamily(row.attack),
    source: row.source,
    score: null,
    faceFound: false,
    inFusionFit: false,
  };
  try {
    if (row.kind === 'video') {
      const scores: number[] = [];
      let analysed = 0;
      for await (const frame of decodeVideoFrames(file, { fps: opts.fps })) {
        const analysis = await engine.analyzeFrame(frame, { timestampMs: frame.timestampMs, irises: false });
        analysed++;
        if (analysis.faces[0]) scores.push(analysis.faces[0].pad.score);
      }
      base.frames = { analysed, withFace: scores.length };
      base.faceFound = scores.length > 0;
      base.score = scores.length ? normalizeScore(median(scores)) : null;
    } else {
      const bytes = await readStillFile(file, { maxBytes: opts.maxBytes });
      const analysis = await engine.analyzeImage(bytes, { irises: false, maxBytes: opts.maxBytes });
      base.faceFound = analysis.faces.length > 0;
      base.score = analysis.faces[0] ? normalizeScore(analysis.faces[0].pad.score) : null;
    }
    const hash = await sha16(file);
    base.inFusionFit = hash !== null && provenance.fileHashes.has(hash);
  } catch (err) {
    base.error = err instanceof CodedError ? err.toJSON() : toCodedError(err);
    base.score = null;
    base.faceFound = false;
  }
  return base;
}

// ------------------------------------------------------------------ metrics

export interface GroupMetrics {
  n_real: number;
  n_spoof: number;
  face_found_rate: number | null;
  face_found_rate_real: number | null;
  apcer: number | null;
  bpcer: number | null;
  acer: number | null;
  threshold_at_bpcer15: number | null;
  bpcer_at_bpcer15: number | null;
  apcer_at_bpcer15: number | null;
}

const num = (v: number): number | null => (Number.isFinite(v) ? Number(v.toFixed(4)) : null);

function groupMetrics(units: UnitResult[], threshold: number): GroupMetrics {
  const samples: ScoredSample[] = units.map((u) => ({ label: u.label, score: u.score, attack: u.attack }));
  const r = errorRates(samples, threshold);
  const op = thresholdAtBpcer(samples, 0.15);
  const reals = units.filter((u) => u.label === 'real');
  return {
    n_real: r.nReal,
    n_spoof: r.nSpoof,
    face_found_rate: units.length ? num(units.filter((u) => u.faceFound).length / units.length) : null,
    face_found_rate_real: reals.length ? num(reals.filter((u) => u.faceFound).length / reals.length) : null,
    apcer: num(r.apcer),
    bpcer: num(r.bpcer),
    acer: num(r.acer),
    threshold_at_bpcer15: num(op.threshold),
    bpcer_at_bpcer15: num(op.bpcer),
    apcer_at_bpcer15: num(op.apcer),
  };
}

export interface EvalSummary extends GroupMetrics {
  folder: string;
  threshold: number;
  fps: number;
  n_rows: number;
  n_skipped_other: number;
  n_errors: number;
  errors: { line: number; path: string; code: string; message: string }[];
  per_kind: Record<string, GroupMetrics>;
  per_attack: Record<string, { n: number; accepted: number; apcer: number | null }>;
  fusion: {
    note: string;
    fitted_sources: string[];
    in_sample_units: number;
    not_in_fit_units: number;
    not_in_fit: GroupMetrics | null;
    held_out_cv: Record<string, unknown> | null;
  };
  models: Record<string, string>;
}

function summarise(units: UnitResult[], opts: EvalOptions, skippedOther: number, provenance: FusionProvenance, models: Record<string, string>): EvalSummary {
  const ok = units.filter((u) => !u.error);
  const overall = groupMetrics(ok, opts.threshold);
  const perKind: Record<string, GroupMetrics> = {};
  for (const kind of ['image', 'crop', 'video']) {
    const group = ok.filter((u) => u.kind === kind);
    if (group.length) perKind[kind] = groupMetrics(group, opts.threshold);
  }
  const perAttackRaw = errorRates(
    ok.map((u) => ({ label: u.label, score: u.score, attack: u.attack })),
    opts.threshold,
  ).perAttack;
  const perAttack = Object.fromEntries(Object.entries(perAttackRaw).map(([k, v]) => [k, { n: v.n, accepted: v.accepted, apcer: num(v.apcer) }]));
  const outOfFit = ok.filter((u) => !u.inFusionFit);
  return {
    folder: opts.folder,
    threshold: opts.threshold,
    fps: opts.fps,
    n_rows: units.length,
    n_skipped_other: skippedOther,
    n_errors: units.length - ok.length,
    errors: units.filter((u) => u.error).map((u) => ({ line: u.line, path: u.path, code: u.error!.code, message: u.error!.message })),
    ...overall,
    per_kind: perKind,
    per_attack: perAttack,
    fusion: {
      note:
        'The fused PAD score was fitted on ../shared/fixtures: figures on rows it was fitted on are IN-SAMPLE (optimistic). The honest held-out figures are held_out_cv (leave-one-source-out cross-validation, from pad-fusion.json).',
      fitted_sources: provenance.sources,
      in_sample_units: ok.length - outOfFit.length,
      not_in_fit_units: outOfFit.length,
      not_in_fit: outOfFit.length ? groupMetrics(outOfFit, opts.threshold) : null,
      held_out_cv: provenance.crossValidation,
    },
    models,
  };
}

// ------------------------------------------------------------------ output

const pct = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? '-' : `${(v * 100).toFixed(1)}%`);

function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  return all.map((r, i) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ') + (i === 0 ? `\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : '')).join('\n');
}

const METRIC_HEADER = ['group', 'real', 'spoof', 'face found', 'APCER', 'BPCER', 'ACER', 'thr@BPCER<=15%', 'BPCER there', 'APCER there'];
const metricRow = (name: string, m: GroupMetrics): string[] => [
  name,
  String(m.n_real),
  String(m.n_spoof),
  pct(m.face_found_rate),
  pct(m.apcer),
  pct(m.bpcer),
  pct(m.acer),
  m.threshold_at_bpcer15 === null ? '-' : String(m.threshold_at_bpcer15),
  pct(m.bpcer_at_bpcer15),
  pct(m.apcer_at_bpcer15),
];

function cvFigures(cv: Record<string, unknown> | null): string[] {
  if (!cv) return ['  (pad-fusion.json holds no cross-validation figures)'];
  const c = cv as { apcer_at_bpcer15?: number; bpcer_at_that_threshold?: number; acer_at_that_threshold?: number; held_out_units?: number; folds?: Record<string, unknown>[]; baselines_same_units_apcer_at_bpcer15?: Record<string, number> };
  const lines = [
    `  pooled over ${c.held_out_units ?? '?'} held-out units: APCER at BPCER<=15% = ${pct(c.apcer_at_bpcer15)} (BPCER ${pct(c.bpcer_at_that_threshold)}, ACER ${pct(c.acer_at_that_threshold)})`,
  ];
  const camera = (cv as { operating_points_camera_like_units?: { units: number; score_75?: { apcer: number; bpcer: number } } }).operating_points_camera_like_units;
  if (camera?.score_75) {
    lines.push(`  camera-like held-out units only (crops and videos, ${camera.units}): APCER at BPCER<=15% = ${pct(camera.score_75.apcer)} (BPCER ${pct(camera.score_75.bpcer)}); score 75 is placed here`);
  }
  if (c.baselines_same_units_apcer_at_bpcer15) {
    lines.push(`  same units, one CNN alone: ${Object.entries(c.baselines_same_units_apcer_at_bpcer15).map(([k, v]) => `${k} ${pct(v)}`).join(', ')}`);
  }
  for (const f of c.folds ?? []) {
    const fold = f as { held_out_source: string; n_real: number; n_spoof: number; apcer_at_training_threshold: number | null; bpcer_at_training_threshold: number | null };
    lines.push(`  fold ${fold.held_out_source}: real ${fold.n_real}, spoof ${fold.n_spoof}, at the training fold's BPCER-15% threshold APCER ${pct(fold.apcer_at_training_threshold)} BPCER ${pct(fold.bpcer_at_training_threshold)}`);
  }
  return lines;
}

function printText(s: EvalSummary): void {
  console.log(`liveness eval ${s.folder}: ${s.n_rows} real/spoof rows (${s.n_skipped_other} "other" rows skipped), ${s.n_errors} could not be analysed; threshold ${s.threshold}; videos at ${s.fps} fps, median frame score`);
  console.log('');
  const rows = Object.entries(s.per_kind).map(([k, m]) => metricRow(k, m));
  rows.push(metricRow('overall', s));
  if (s.fusion.not_in_fit) rows.push(metricRow('not in fusion fit', s.fusion.not_in_fit));
  console.log(table(METRIC_HEADER, rows));
  console.log('');
  console.log(table(['attack type', 'n', 'accepted', `APCER @${s.threshold}`], Object.entries(s.per_attack).map(([k, v]) => [k, String(v.n), String(v.accepted), pct(v.apcer)])));
  console.log('');
  console.log(`Fused PAD score fitted on sources: ${s.fusion.fitted_sources.join(', ') || '(none recorded)'}.`);
  console.log(`${s.fusion.in_sample_units} of ${s.n_rows - s.n_errors} analysed units were in that fit: the figures above are IN-SAMPLE for them.`);
  console.log('Honest held-out figures (leave-one-source-out cross-validation, from pad-fusion.json):');
  for (const line of cvFigures(s.fusion.held_out_cv)) console.log(line);
  for (const e of s.errors) console.log(`row ${e.line} ${e.path}: ${e.code}: ${e.message}`);
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function detSvg(points: DetPoint[], threshold: number): string {
  const W = 420;
  const H = 420;
  const M = 48;
  const x = (apcer: number) => M + apcer * (W - M - 12);
  const y = (bpcer: number) => H - M - bpcer * (H - M - 12);
  const path = points.filter((p) => Number.isFinite(p.apcer) && Number.isFinite(p.bpcer)).map((p, i) => `${i ? 'L' : 'M'}${x(p.apcer).toFixed(1)},${y(p.bpcer).toFixed(1)}`).join(' ');
  const op = points.filter((p) => p.threshold >= threshold)[0];
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="DET curve: APCER against BPCER over every threshold">
<rect x="${M}" y="12" width="${W - M - 12}" height="${H - M - 12}" fill="#fff" stroke="#999"/>
${ticks.map((t) => `<line x1="${x(t)}" y1="12" x2="${x(t)}" y2="${H - M}" stroke="#eee"/><text x="${x(t)}" y="${H - M + 16}" font-size="11" text-anchor="middle">${t * 100}%</text>`).join('')}
${ticks.map((t) => `<line x1="${M}" y1="${y(t)}" x2="${W - 12}" y2="${y(t)}" stroke="#eee"/><text x="${M - 6}" y="${y(t) + 4}" font-size="11" text-anchor="end">${t * 100}%</text>`).join('')}
<line x1="${M}" y1="${y(0.15)}" x2="${W - 12}" y2="${y(0.15)}" stroke="#c60" stroke-dasharray="4 3"/><text x="${W - 14}" y="${y(0.15) - 4}" font-size="11" text-anchor="end" fill="#c60">BPCER 15%</text>
<path d="${path}" fill="none" stroke="#1565c0" stroke-width="2"/>
${op ? `<circle cx="${x(op.apcer)}" cy="${y(op.bpcer)}" r="5" fill="#c62828"/><text x="${x(op.apcer) + 8}" y="${y(op.bpcer) - 6}" font-size="11" fill="#c62828">threshold ${threshold}</text>` : ''}
<text x="${(W + M) / 2}" y="${H - 10}" font-size="12" text-anchor="middle">APCER (attacks accepted)</text>
<text x="14" y="${(H - M) / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 14 ${(H - M) / 2})">BPCER (bona fide rejected)</text>
</svg>`;
}

function htmlTable(header: string[], rows: string[][]): string {
  return `<table><thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

export function renderReport(s: EvalSummary, units: UnitResult[]): string {
  const ok = units.filter((u) => !u.error);
  const det = detCurve(ok.map((u) => ({ label: u.label, score: u.score })));
  const kindRows = Object.entries(s.per_kind).map(([k, m]) => metricRow(k, m));
  kindRows.push(metricRow('overall', s));
  if (s.fusion.not_in_fit) kindRows.push(metricRow('not in fusion fit', s.fusion.not_in_fit));
  const unitRows = units.map((u) => [u.path, u.label, u.kind, u.attack || '-', u.score === null ? '-' : String(u.score), u.faceFound ? 'yes' : 'no', u.inFusionFit ? 'in-sample' : 'not in fit', u.error ? `${u.error.code}: ${u.error.message}` : '']);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>liveness eval report</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0;font-size:13px}th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f3f3f3}
.note{background:#fff8e1;border-left:4px solid #f9a825;padding:.5rem 1rem}
pre{background:#f6f6f6;padding:.5rem 1rem;white-space:pre-wrap}
</style></head><body>
<h1>liveness eval: ${escapeHtml(s.folder)}</h1>
<p>${s.n_rows} real/spoof rows, ${s.n_errors} could not be analysed, ${s.n_skipped_other} "other" rows skipped. Threshold ${s.threshold} (accepted as live when score &ge; threshold); videos sampled at ${s.fps} fps, one verdict per video (median frame score).</p>
<h2>Per kind and overall</h2>
${htmlTable(METRIC_HEADER, kindRows)}
<h2>Per attack type (at threshold ${s.threshold})</h2>
${htmlTable(['attack type', 'n', 'accepted', 'APCER'], Object.entries(s.per_attack).map(([k, v]) => [k, String(v.n), String(v.accepted), pct(v.apcer)]))}
<h2>DET curve</h2>
${detSvg(det, s.threshold)}
<h2>Fusion fit and honest held-out figures</h2>
<p class="note">The fused PAD score was fitted on sources: ${escapeHtml(s.fusion.fitted_sources.join(', ') || '(none recorded)')}. ${s.fusion.in_sample_units} analysed units here were in that fit, so the tables above are in-sample for them. The held-out figures below come from leave-one-source-out cross-validation (pad-fusion.json).</p>
<pre>${escapeHtml(cvFigures(s.fusion.held_out_cv).join('\n'))}</pre>
<h2>Rows</h2>
${htmlTable(['path', 'label', 'kind', 'attack', 'score', 'face', 'fusion', 'error'], unitRows)}
<p>Models: ${escapeHtml(Object.entries(s.models).map(([k, v]) => `${k} ${v}`).join('; '))}</p>
</body></html>
`;
}

// ------------------------------------------------------------------ progress

function progress(total: number): (done: number, label: string) => void {
  const tty = Boolean(process.stderr.isTTY);
  let lastLine = -1;
  return (done, label) => {
    if (tty) {
      const width = 30;
      const filled = Math.round((done / total) * width);
      process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label.slice(-40).padEnd(40)}`);
      if (done === total) process.stderr.write('\n');
    } else {
      // Sparse lines for logs: every 10% and the last one.
      const step = Math.floor((done * 10) / total);
      if (step !== lastLine || done === total) {
        lastLine = step;
        process.stderr.write(`eval: ${done}/${total}\n`);
      }
    }
  };
}

// ------------------------------------------------------------------ run

/** Parsed flags, or null when the usage was printed for --help. */
function parseOptions(argv: string[]): EvalOptions | null {
  const parsed = parseCommandArgs(
    argv,
    {
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
  const threshold = parseThresholdFlag(values.threshold);
  const fps = values.fps === undefined ? 2 : Number(values.fps);
  if (!Number.isFinite(fps) || fps < 2 || fps > 30) throw new CodedError('INVALID_ARGUMENT', `--fps must be between 2 and 30, not "${values.fps}".`);
  const maxBytes = parsePositiveIntFlag('max-bytes', values['max-bytes'], 20 * 1024 * 1024);
  if (positionals.length !== 1) throw new CodedError('INVALID_ARGUMENT', `give exactly one folder.\n\n${USAGE}`);
  return { folder: positionals[0], threshold, json: values.json, report: values.report, fps, maxBytes };
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
  const provenance = fusionProvenance();
  const engine = await createEngine();
  const units: UnitResult[] = [];
  const tick = progress(Math.max(1, scored.length));
  try {
    for (const [i, row] of scored.entries()) {
      units.push(await analyseRow(engine, folder, row, opts, provenance));
      tick(i + 1, row.path);
    }
  } finally {
    await engine.close();
  }
  const summary = summarise(units, { ...opts, folder: opts.folder }, rows.length - scored.length, provenance, engine.modelVersions());
  printText(summary);
  if (opts.report) {
    await writeFile(opts.report, renderReport(summary, units), 'utf8');
    console.log(`report written to ${opts.report}`);
  }
  if (opts.json) console.log(JSON.stringify(summary));
  return summary.n_errors > 0 ? 2 : 0;
}
