// `liveness eval` as text for a terminal: the PAD-score tables, or the per-mode table (--mode). Pure: data in, text out.
import { formatProportion } from '../calibration/statistics';
import { ATTACK_SPECIES } from './labels';
import type { EvalSummary, GroupMetrics, ModeEvalSummary } from './analysis';

export const pct = (v: number | null | undefined): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '-' : `${(v * 100).toFixed(1)}%`;

export function textTable(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  return all
    .map(
      (r, i) =>
        r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ') +
        (i === 0 ? `\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : ''),
    )
    .join('\n');
}

export const METRIC_HEADER = [
  'group',
  'real',
  'spoof',
  'face found',
  'APCER',
  'BPCER',
  'ACER',
  'thr@BPCER<=15%',
  'BPCER there',
  'APCER there',
];

export const metricRow = (name: string, m: GroupMetrics): string[] => [
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

/** The held-out cross-validation figures recorded in pad-fusion.json, one line each. */
export function cvFigures(cv: Record<string, unknown> | null): string[] {
  if (!cv) return ['  (pad-fusion.json holds no cross-validation figures)'];
  const c = cv as {
    apcer_at_bpcer15?: number;
    bpcer_at_that_threshold?: number;
    acer_at_that_threshold?: number;
    held_out_units?: number;
    folds?: Record<string, unknown>[];
    baselines_same_units_apcer_at_bpcer15?: Record<string, number>;
    operating_points_camera_like_units?: { units: number; score_75?: { apcer: number; bpcer: number } };
  };
  const lines = [
    `  pooled over ${c.held_out_units ?? '?'} held-out units: APCER at BPCER<=15% = ${pct(c.apcer_at_bpcer15)} (BPCER ${pct(c.bpcer_at_that_threshold)}, ACER ${pct(c.acer_at_that_threshold)})`,
  ];
  const camera = c.operating_points_camera_like_units;
  if (camera?.score_75) {
    lines.push(
      `  camera-like held-out units only (crops and videos, ${camera.units}): APCER at BPCER<=15% = ${pct(camera.score_75.apcer)} (BPCER ${pct(camera.score_75.bpcer)}); score 75 is placed here`,
    );
  }
  if (c.baselines_same_units_apcer_at_bpcer15) {
    lines.push(
      `  same units, one CNN alone: ${Object.entries(c.baselines_same_units_apcer_at_bpcer15)
        .map(([k, v]) => `${k} ${pct(v)}`)
        .join(', ')}`,
    );
  }
  for (const f of c.folds ?? []) {
    const fold = f as {
      held_out_source: string;
      n_real: number;
      n_spoof: number;
      apcer_at_training_threshold: number | null;
      bpcer_at_training_threshold: number | null;
    };
    lines.push(
      `  fold ${fold.held_out_source}: real ${fold.n_real}, spoof ${fold.n_spoof}, at the training fold's BPCER-15% threshold APCER ${pct(fold.apcer_at_training_threshold)} BPCER ${pct(fold.bpcer_at_training_threshold)}`,
    );
  }
  return lines;
}

/** The PAD-score report (eval without --mode). */
export function renderSummaryText(s: EvalSummary): string {
  const out: string[] = [];
  out.push(
    `liveness eval ${s.folder}: ${s.n_rows} real/spoof rows (${s.n_skipped_other} "other" rows skipped), ${s.n_errors} could not be analysed; threshold ${s.threshold}; videos at ${s.fps} fps, median frame score`,
  );
  out.push('');
  const rows = Object.entries(s.per_kind).map(([k, m]) => metricRow(k, m));
  rows.push(metricRow('overall', s));
  if (s.fusion.not_in_fit) rows.push(metricRow('not in fusion fit', s.fusion.not_in_fit));
  out.push(textTable(METRIC_HEADER, rows));
  out.push('');
  out.push(
    textTable(
      ['attack type', 'n', 'accepted', `APCER @${s.threshold}`],
      Object.entries(s.per_attack).map(([k, v]) => [k, String(v.n), String(v.accepted), pct(v.apcer)]),
    ),
  );
  out.push('');
  out.push(`Fused PAD score fitted on sources: ${s.fusion.fitted_sources.join(', ') || '(none recorded)'}.`);
  out.push(
    `${s.fusion.in_sample_units} of ${s.n_rows - s.n_errors} analysed units were in that fit: the figures above are IN-SAMPLE for them.`,
  );
  out.push('Honest held-out figures (leave-one-source-out cross-validation, from pad-fusion.json):');
  out.push(...cvFigures(s.fusion.held_out_cv));
  for (const e of s.errors) out.push(`row ${e.line} ${e.path}: ${e.code}: ${e.message}`);
  return out.join('\n');
}

export const MODE_HEADER = [
  'mode',
  'judged',
  'n/a',
  'errors',
  ...ATTACK_SPECIES.map((s) => `APCER ${s}`),
  'APCER all',
  'BPCER',
  'ACER',
  'real In Review',
];

/** One row per mode; rates with their 95% interval and counts. */
export function modeRows(s: ModeEvalSummary): string[][] {
  return s.modes.map((m) => [
    m.mode,
    String(m.judged),
    String(m.not_applicable),
    String(m.errors),
    ...ATTACK_SPECIES.map((species) => (m.apcer_per_species[species] ? formatProportion(m.apcer_per_species[species]) : '-')),
    formatProportion(m.apcer),
    formatProportion(m.bpcer),
    pct(m.acer),
    String(m.bona_fide_in_review),
  ]);
}

/** The per-mode report (eval --mode). */
export function renderModesText(s: ModeEvalSummary): string {
  const out: string[] = [];
  out.push(
    `liveness eval ${s.folder} --mode ${s.modes.map((m) => m.mode).join(',')}: threshold ${s.threshold}; clips at ${s.fps} fps through the kiosk's decision core; an attack counts as accepted only when Approved, a bona fide as rejected when not Approved (In Review or Declined)`,
  );
  out.push(
    `rates: % [95% interval: Wilson, or rule of three when no error was seen] (errors/attempts); ACER = (worst species APCER + BPCER) / 2; ${s.n_skipped_other} "other" rows skipped`,
  );
  out.push('');
  out.push(textTable(MODE_HEADER, modeRows(s)));
  const notApplicable = s.units.filter((u) => !u.applicable && u.kind === 'video');
  if (notApplicable.length) {
    out.push('');
    out.push('Not applicable (not counted as a pass or a failure):');
    for (const u of notApplicable) out.push(`  ${u.mode}: ${u.path}: ${u.reason}`);
  }
  const stills = s.units.filter((u) => !u.applicable && u.kind !== 'video').length;
  if (stills) out.push(`  and ${stills} still-image rows in the motion and flash modes (a still cannot carry a challenge or a flash)`);
  const errors = s.units.filter((u) => u.error);
  for (const u of errors) out.push(`row ${u.line} ${u.path} (${u.mode}): ${u.error!.code}: ${u.error!.message}`);
  out.push('');
  out.push('Clips:');
  out.push(
    textTable(
      ['clip', 'label', ...s.modes.map((m) => m.mode)],
      [...new Set(s.units.filter((u) => u.kind === 'video').map((u) => u.path))].map((p) => {
        const units = s.units.filter((u) => u.path === p);
        return [
          p,
          units[0].label === 'real' ? 'bona fide' : (units[0].species ?? 'attack'),
          ...s.modes.map((m) => {
            const u = units.find((x) => x.mode === m.mode);
            if (!u) return '-';
            if (!u.applicable) return 'n/a';
            if (u.error) return u.error.code;
            return `${u.status} ${u.score}`;
          }),
        ];
      }),
    ),
  );
  return out.join('\n');
}
