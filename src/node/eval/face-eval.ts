// Face verification accuracy on identity-labelled photos: embed the largest face of each photo, score every pair,
// report FNMR at fixed FMRs, the EER and the DET curve, as a table and as a self-contained HTML report (no faces).
import path from 'node:path';
import { readStillFile } from '../engine/decode';
import type { FaceDescriber } from '../engine/api';
import { cosineSimilarity } from '../engine/face-embedding';
import { toCodedError } from '../../shared/errors';
import { COSINE_AT_MATCH, COSINE_AT_POSSIBLE_MATCH, similarityScore } from '../../shared/face-match';
import { detCurve, equalErrorRate, fnmrAtFmr, pairIndices, ratesAt, type DetPoint, type OperatingPoint } from './face-verification';
import identities from './face-identities.json';

/** The FMRs the table reports (ISO/IEC 19795-1 style operating points). */
export const REPORTED_FMRS = [1e-2, 1e-3, 1e-4] as const;

export interface FaceEvalResult {
  photos: number;
  people: number;
  genuinePairs: number;
  impostorPairs: number;
  /** Photos with no face found (left out of the pairs). */
  missed: { path: string; reason: string }[];
  eer: number;
  operatingPoints: OperatingPoint[];
  /** Measured FMR/FNMR at the shipped band cosines. */
  bands: { name: string; cosine: number; score: number; fmr: number; fnmr: number }[];
  det: DetPoint[];
  /** Mean milliseconds to decode, analyse and embed one photo. */
  meanDescribeMs: number;
}

/** The identity-labelled photos under `fixtures` (paths and person labels). */
export function identityPhotos(fixtures: string): { file: string; rel: string; who: string }[] {
  return Object.entries(identities.photos as Record<string, string>).map(([rel, who]) => ({ file: path.join(fixtures, rel), rel, who }));
}

export async function runFaceEval(fixtures: string, engine: FaceDescriber, onPhoto?: (rel: string) => void): Promise<FaceEvalResult> {
  const embedded: { who: string; embedding: Float32Array }[] = [];
  const missed: FaceEvalResult['missed'] = [];
  let describeMs = 0;
  for (const photo of identityPhotos(fixtures)) {
    onPhoto?.(photo.rel);
    try {
      const bytes = await readStillFile(photo.file, { maxBytes: 20 * 1024 * 1024 });
      const started = performance.now();
      const description = await engine.describeLargestFace(bytes, { maxBytes: 20 * 1024 * 1024 });
      describeMs += performance.now() - started;
      if (!description) missed.push({ path: photo.rel, reason: 'no face found' });
      else embedded.push({ who: photo.who, embedding: description.embedding });
    } catch (err) {
      missed.push({ path: photo.rel, reason: toCodedError(err).code });
    }
  }
  const { genuine, impostor } = pairIndices(embedded.map((e) => e.who));
  const cos = ([i, j]: [number, number]) => cosineSimilarity(embedded[i].embedding, embedded[j].embedding);
  const scores = { genuine: genuine.map(cos), impostor: impostor.map(cos) };
  const bands = [
    { name: 'possible match', cosine: COSINE_AT_POSSIBLE_MATCH },
    { name: 'match', cosine: COSINE_AT_MATCH },
  ].map((band) => ({ ...band, score: similarityScore(band.cosine), ...ratesAt(scores, band.cosine) }));
  return {
    photos: embedded.length,
    people: new Set(embedded.map((e) => e.who)).size,
    genuinePairs: genuine.length,
    impostorPairs: impostor.length,
    missed,
    eer: equalErrorRate(scores),
    operatingPoints: REPORTED_FMRS.map((fmr) => fnmrAtFmr(scores, fmr)),
    bands,
    det: detCurve(scores),
    meanDescribeMs: embedded.length ? describeMs / embedded.length : 0,
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** Markdown table lines (the README pastes these). */
export function faceEvalTable(result: FaceEvalResult): string[] {
  const lines = [
    `${result.photos} photos of ${result.people} people: ${result.genuinePairs} genuine pairs, ${result.impostorPairs} impostor pairs; EER ${pct(result.eer)}`,
    '',
    '| target FMR | cosine threshold | measured FMR | FNMR | resolvable with these pairs |',
    '| --- | --- | --- | --- | --- |',
    ...result.operatingPoints.map(
      (p) =>
        `| ${p.targetFmr} | ${Number.isFinite(p.threshold) ? p.threshold.toFixed(3) : '-'} | ${pct(p.fmr)} | ${pct(p.fnmr)} | ${p.resolvable ? 'yes' : `no (needs >= ${Math.ceil(1 / p.targetFmr)} impostor pairs)`} |`,
    ),
    '',
    '| shipped band | cosine | score | measured FMR | FNMR |',
    '| --- | --- | --- | --- | --- |',
    ...result.bands.map((b) => `| ${b.name} | ${b.cosine} | ${b.score} | ${pct(b.fmr)} | ${pct(b.fnmr)} |`),
  ];
  if (result.missed.length)
    lines.push('', `not used (no face or unreadable): ${result.missed.map((m) => `${m.path} (${m.reason})`).join(', ')}`);
  return lines;
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** DET curve on log-log axes (FMR 1e-4..1, FNMR 1e-3..1), the usual biometric presentation. */
function detSvg(points: DetPoint[]): string {
  const W = 440,
    H = 440,
    M = 52,
    lo = { x: -4, y: -3 };
  const clampLog = (v: number, min: number) => Math.log10(Math.max(v, 10 ** min));
  const x = (fmr: number) => M + ((clampLog(fmr, lo.x) - lo.x) / -lo.x) * (W - M - 12);
  const y = (fnmr: number) => H - M - ((clampLog(fnmr, lo.y) - lo.y) / -lo.y) * (H - M - 12);
  const path = points.map((p, i) => `${i ? 'L' : 'M'}${x(p.fmr).toFixed(1)},${y(p.fnmr).toFixed(1)}`).join(' ');
  const xt = [-4, -3, -2, -1, 0],
    yt = [-3, -2, -1, 0];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="DET curve: FNMR against FMR, log axes">
<rect x="${M}" y="12" width="${W - M - 12}" height="${H - M - 12}" fill="#fff" stroke="#999"/>
${xt.map((t) => `<line x1="${x(10 ** t)}" y1="12" x2="${x(10 ** t)}" y2="${H - M}" stroke="#eee"/><text x="${x(10 ** t)}" y="${H - M + 16}" font-size="11" text-anchor="middle">1e${t}</text>`).join('')}
${yt.map((t) => `<line x1="${M}" y1="${y(10 ** t)}" x2="${W - 12}" y2="${y(10 ** t)}" stroke="#eee"/><text x="${M - 6}" y="${y(10 ** t) + 4}" font-size="11" text-anchor="end">1e${t}</text>`).join('')}
<path d="${path}" fill="none" stroke="#1565c0" stroke-width="2"/>
<text x="${(W + M) / 2}" y="${H - 12}" font-size="12" text-anchor="middle">FMR (impostor pairs accepted)</text>
<text x="14" y="${(H - M) / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 14 ${(H - M) / 2})">FNMR (genuine pairs rejected)</text>
</svg>`;
}

export function faceEvalHtml(result: FaceEvalResult, command: string): string {
  const rows = (header: string[], body: string[][]) =>
    `<table><thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${body.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Face verification report</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;max-width:900px}table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}</style></head><body>
<h1>Face verification on identity-labelled photos</h1>
<p>Command: <code>${escapeHtml(command)}</code>. ${result.photos} photos of ${result.people} people; ${result.genuinePairs} genuine and ${result.impostorPairs} impostor pairs. EER ${pct(result.eer)}. Mean time to describe one photo: ${result.meanDescribeMs.toFixed(0)} ms. No face image is included.</p>
<h2>FNMR at fixed FMR</h2>
${rows(
  ['target FMR', 'cosine threshold', 'measured FMR', 'FNMR', 'resolvable'],
  result.operatingPoints.map((p) => [
    String(p.targetFmr),
    Number.isFinite(p.threshold) ? p.threshold.toFixed(3) : '-',
    pct(p.fmr),
    pct(p.fnmr),
    p.resolvable ? 'yes' : `no: fewer than ${Math.ceil(1 / p.targetFmr)} impostor pairs`,
  ]),
)}
<h2>Shipped bands</h2>
${rows(
  ['band', 'cosine', 'score', 'measured FMR', 'FNMR'],
  result.bands.map((b) => [b.name, String(b.cosine), String(b.score), pct(b.fmr), pct(b.fnmr)]),
)}
<h2>DET curve</h2>
${detSvg(result.det)}
${
  result.missed.length
    ? `<h2>Not used</h2>${rows(
        ['photo', 'reason'],
        result.missed.map((m) => [m.path, m.reason]),
      )}`
    : ''
}
</body></html>
`;
}
