// `liveness eval --report`: a self-contained HTML report (tables and a DET curve; never a face image). Pure.
import { detCurve, type DetPoint } from './metrics';
import type { EvalSummary, ModeEvalSummary, UnitResult } from './analysis';
import { cvFigures, METRIC_HEADER, MODE_HEADER, metricRow, modeRows, pct } from './report-text';

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function detSvg(points: DetPoint[], threshold: number): string {
  const W = 420;
  const H = 420;
  const M = 48;
  const x = (apcer: number) => M + apcer * (W - M - 12);
  const y = (bpcer: number) => H - M - bpcer * (H - M - 12);
  const path = points
    .filter((p) => Number.isFinite(p.apcer) && Number.isFinite(p.bpcer))
    .map((p, i) => `${i ? 'L' : 'M'}${x(p.apcer).toFixed(1)},${y(p.bpcer).toFixed(1)}`)
    .join(' ');
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

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0;font-size:13px}th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f3f3f3}
.note{background:#fff8e1;border-left:4px solid #f9a825;padding:.5rem 1rem}
pre{background:#f6f6f6;padding:.5rem 1rem;white-space:pre-wrap}`;

const page = (title: string, body: string): string =>
  `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>\n<style>\n${STYLE}\n</style></head><body>\n${body}\n</body></html>\n`;

/** Both reports end alike: every row, then the models that scored them. */
const rowsAndModels = (header: string[], rows: string[][], models: Record<string, string>): string =>
  `<h2>Rows</h2>\n${htmlTable(header, rows)}\n<p>Models: ${escapeHtml(
    Object.entries(models)
      .map(([k, v]) => `${k} ${v}`)
      .join('; '),
  )}</p>`;

/** The PAD-score report. */
export function renderReport(s: EvalSummary, units: UnitResult[]): string {
  const ok = units.filter((u) => !u.error);
  const det = detCurve(ok.map((u) => ({ label: u.label, score: u.score })));
  const kindRows = Object.entries(s.per_kind).map(([k, m]) => metricRow(k, m));
  kindRows.push(metricRow('overall', s));
  if (s.fusion.not_in_fit) kindRows.push(metricRow('not in fusion fit', s.fusion.not_in_fit));
  const unitRows = units.map((u) => [
    u.path,
    u.label,
    u.kind,
    u.attack || '-',
    u.score === null ? '-' : String(u.score),
    u.faceFound ? 'yes' : 'no',
    u.inFusionFit ? 'in-sample' : 'not in fit',
    u.error ? `${u.error.code}: ${u.error.message}` : '',
  ]);
  return page(
    'liveness eval report',
    `<h1>liveness eval: ${escapeHtml(s.folder)}</h1>
<p>${s.n_rows} real/spoof rows, ${s.n_errors} could not be analysed, ${s.n_skipped_other} "other" rows skipped. Threshold ${s.threshold} (accepted as live when score &ge; threshold); videos sampled at ${s.fps} fps, one verdict per video (median frame score).</p>
<h2>Per kind and overall</h2>
${htmlTable(METRIC_HEADER, kindRows)}
<h2>Per attack type (at threshold ${s.threshold})</h2>
${htmlTable(
  ['attack type', 'n', 'accepted', 'APCER'],
  Object.entries(s.per_attack).map(([k, v]) => [k, String(v.n), String(v.accepted), pct(v.apcer)]),
)}
<h2>DET curve</h2>
${detSvg(det, s.threshold)}
<h2>Fusion fit and honest held-out figures</h2>
<p class="note">The fused PAD score was fitted on sources: ${escapeHtml(s.fusion.fitted_sources.join(', ') || '(none recorded)')}. ${s.fusion.in_sample_units} analysed units here were in that fit, so the tables above are in-sample for them. The held-out figures below come from leave-one-source-out cross-validation (pad-fusion.json).</p>
<pre>${escapeHtml(cvFigures(s.fusion.held_out_cv).join('\n'))}</pre>
${rowsAndModels(['path', 'label', 'kind', 'attack', 'score', 'face', 'fusion', 'error'], unitRows, s.models)}`,
  );
}

/** The per-mode report (eval --mode). */
export function renderModesReport(s: ModeEvalSummary): string {
  const unitRows = s.units.map((u) => [
    u.path,
    u.mode,
    u.label,
    u.species ?? '-',
    u.applicable ? 'yes' : `no: ${u.reason ?? ''}`,
    u.status ?? '-',
    u.score === null ? '-' : String(u.score),
    u.error ? `${u.error.code}: ${u.error.message}` : '',
  ]);
  return page(
    'liveness eval report (kiosk modes)',
    `<h1>liveness eval: ${escapeHtml(s.folder)} in kiosk modes</h1>
<p>Threshold ${s.threshold}; clips sampled at ${s.fps} fps and judged by the kiosk's decision core. An attack counts as accepted only when Approved; a bona fide as rejected when not Approved. Rates carry a 95% interval (Wilson, or the rule-of-three bound where no error was seen) and the counts behind them. Rows that cannot carry a mode are not applicable, never a pass.</p>
${htmlTable(MODE_HEADER, modeRows(s))}
${rowsAndModels(['path', 'mode', 'label', 'species', 'applicable', 'status', 'score', 'error'], unitRows, s.models)}`,
  );
}
