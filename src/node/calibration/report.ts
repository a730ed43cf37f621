// `liveness calibrate` as text: evidence, rates before and after the refit, and each constant with its basis. Pure.
import { ATTACK_SPECIES } from '../eval/labels';
import { textTable } from '../eval/report-text';
import type { CalibrationReport, RateTable } from './calibrate';
import { formatProportion } from './statistics';

function rateRows(name: string, rates: RateTable): string[][] {
  const rows = [
    [`${name}: BPCER (bona fide not Approved)`, formatProportion(rates.bpcer), String(rates.bpcer.subjects), String(rates.bpcer.attempts)],
  ];
  for (const species of ATTACK_SPECIES) {
    const p = rates.apcer[species];
    if (p) rows.push([`${name}: APCER ${species} (attacks Approved)`, formatProportion(p), String(p.subjects), String(p.attempts)]);
  }
  return rows;
}

export function renderCalibrationText(r: CalibrationReport): string {
  const out: string[] = [];
  const labels = Object.entries(r.attemptsByLabel)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  out.push(
    `liveness calibrate: ${r.packs} attempts (${labels}) from ${r.subjects} subjects at ${r.sites.length} site(s): ${r.sites.join(', ')}`,
  );
  out.push(
    `camera exposure and white balance held for the flash: ${r.cameraLock.locked} locked, ${r.cameraLock.notLocked} not locked, ${r.cameraLock.unknown} not reported`,
  );
  out.push('rates: % [95% interval: Wilson, or rule of three when no error was seen] (errors/attempts)');
  out.push('');
  out.push(
    textTable(
      ['', 'rate [95% CI] (errors/attempts)', 'subjects', 'attempts'],
      [
        ...rateRows(`shipped constants, threshold ${r.current.tuning.threshold}`, r.current.rates),
        ...rateRows(`site profile, threshold ${r.refit.tuning.threshold} (IN-SAMPLE)`, r.refit.rates),
      ],
    ),
  );
  out.push('');
  out.push(
    textTable(
      ['constant', 'shipped', 'site profile', 'basis'],
      r.refit.constants.map((c) => [c.name, String(c.before), c.refit ? String(c.after) : `${c.after} (kept)`, c.basis]),
    ),
  );
  out.push('');
  out.push(
    textTable(
      ['attempt', 'site/subject', 'label', 'mode', 'frames', 'camera locked', 'status', 'score', 'flash', 'planar residual'],
      r.attempts.map((a) => [
        a.packId.slice(0, 8),
        a.subject,
        a.label,
        a.mode,
        String(a.frames),
        a.cameraLocked === null ? '-' : a.cameraLocked ? 'yes' : 'no',
        a.status,
        String(a.score),
        a.flash ? `${a.flash.verdict} ${a.flash.spatialVariation.toFixed(3)}` : '-',
        a.planar?.residual == null ? '-' : a.planar.residual.toFixed(3),
      ]),
    ),
  );
  return out.join('\n');
}
