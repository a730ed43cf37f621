// `liveness eval` analysis: run each labelled row through the engine, and (with --mode) each labelled clip through
// the same decision core the kiosk uses (src/liveness/clip.ts: challenges, flash, planar, passive, scoring), then
// compute APCER per attack species, BPCER and ACER. No rendering here (report-text.ts, report-html.ts).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FrameAnalysis } from '../../shared/analysis';
import { normalizeScore } from '../../shared/bands';
import { median } from '../../shared/stats';
import { type LivenessMode, type Status } from '../../shared/catalogue';
import { parseLivenessConfig } from '../../shared/config';
import { CodedError, toCodedError, type CodedErrorShape } from '../../shared/errors';
import { flashSequenceSchema, type FlashSequence } from '../../shared/result';
import { analyzeClip } from '../../liveness/clip';
import { passiveDecision } from '../../liveness/passive';
import type { Engine } from '../engine/api';
import { readStillFile } from '../engine/decode';
import { decodeVideoFrames } from '../engine/video';
import fusionJson from '../engine/pad-fusion.json';
import { proportion, type Proportion } from '../calibration/statistics';
import { attackFamily, attackSpecies, type AttackSpecies, type LabelRow } from './labels';
import { errorRates, thresholdAtBpcer, type ScoredSample } from './metrics';

/** Target bona fide rejection for the operating point reported beside the configured threshold (ISO 30107-3 practice). */
export const REPORT_BPCER_TARGET = 0.15;

export interface EvalOptions {
  folder: string;
  threshold: number;
  fps: number;
  maxBytes: number;
  /** Kiosk modes to evaluate clips in; empty = the fused PAD score of every row (no decision core). */
  modes: LivenessMode[];
}

/** One evaluated row: an image, a crop or a whole video, scored by the fused PAD score. */
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

export interface FusionProvenance {
  sources: string[];
  fileHashes: Set<string>;
  crossValidation: Record<string, unknown> | null;
}

export function fusionProvenance(): FusionProvenance {
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

async function sha16(file: string): Promise<string | null> {
  try {
    return createHash('sha256')
      .update(await readFile(file))
      .digest('hex')
      .slice(0, 16);
  } catch {
    return null;
  }
}

const asCoded = (err: unknown): CodedErrorShape => (err instanceof CodedError ? err.toJSON() : toCodedError(err));

/** The fused PAD score of one row (the eval without --mode). */
export async function analyseRow(
  engine: Engine,
  folder: string,
  row: LabelRow,
  opts: EvalOptions,
  provenance: FusionProvenance,
): Promise<UnitResult> {
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
    base.error = asCoded(err);
    base.score = null;
    base.faceFound = false;
  }
  return base;
}

// ------------------------------------------------------------------ PAD-score metrics (no --mode)

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

export function groupMetrics(units: UnitResult[], threshold: number): GroupMetrics {
  const samples: ScoredSample[] = units.map((u) => ({ label: u.label, score: u.score, attack: u.attack }));
  const r = errorRates(samples, threshold);
  const op = thresholdAtBpcer(samples, REPORT_BPCER_TARGET);
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

export function summarise(
  units: UnitResult[],
  opts: EvalOptions,
  skippedOther: number,
  provenance: FusionProvenance,
  models: Record<string, string>,
): EvalSummary {
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
  const perAttack = Object.fromEntries(
    Object.entries(perAttackRaw).map(([k, v]) => [k, { n: v.n, accepted: v.accepted, apcer: num(v.apcer) }]),
  );
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
      note: 'The fused PAD score was fitted on ../shared/fixtures: figures on rows it was fitted on are IN-SAMPLE (optimistic). The honest held-out figures are held_out_cv (leave-one-source-out cross-validation, from pad-fusion.json).',
      fitted_sources: provenance.sources,
      in_sample_units: ok.length - outOfFit.length,
      not_in_fit_units: outOfFit.length,
      not_in_fit: outOfFit.length ? groupMetrics(outOfFit, opts.threshold) : null,
      held_out_cv: provenance.crossValidation,
    },
    models,
  };
}

// ------------------------------------------------------------------ kiosk modes (--mode)

/** One clip (or still, in passive mode) judged by the decision core in one mode. */
export interface ModeUnit {
  line: number;
  path: string;
  label: 'real' | 'spoof';
  kind: LabelRow['kind'];
  species: AttackSpecies | null;
  source: string;
  mode: LivenessMode;
  /** False when the row cannot carry the mode (a still in a motion mode, a clip without its flash sequence). */
  applicable: boolean;
  /** Why it is not applicable. */
  reason?: string;
  status: Status | null;
  score: number | null;
  /** Approved by the kiosk's decision (what an attacker needs). */
  accepted: boolean;
  frames?: number;
  error?: CodedErrorShape;
}

/** Where a clip's recorded flash sequence lives: the labels.csv column, or `<clip>.flash.json` beside it. */
async function recordedFlash(folder: string, row: LabelRow): Promise<{ sequence: FlashSequence; startMs?: number } | null> {
  const column = row.fields.flash_sequence;
  const file = column ? path.resolve(folder, column) : path.resolve(folder, `${row.path}.flash.json`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (column)
      throw new CodedError('FILE_NOT_FOUND', `The flash sequence ${column} named on line ${row.line} cannot be read.`, { cause: err });
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CodedError('INVALID_PAYLOAD', `The flash sequence ${path.basename(file)} is not JSON.`, { cause: err });
  }
  const record = json && typeof json === 'object' ? (json as Record<string, unknown>) : {};
  const parsed = flashSequenceSchema.safeParse('steps' in record ? record : (record.flash_sequence ?? record.sequence));
  if (!parsed.success)
    throw new CodedError('INVALID_PAYLOAD', `${path.basename(file)} does not hold a flash sequence {seed, steps:[{rgb, durationMs}]}.`);
  const startMs = Number(row.fields.flash_start_ms ?? record.flash_start_ms);
  return { sequence: parsed.data, ...(Number.isFinite(startMs) ? { startMs } : {}) };
}

const needsFlash = (mode: LivenessMode): boolean => mode === 'flash' || mode === 'action_flash';

/** Every mode's verdict for one row; frames are decoded and analysed once and judged in each mode. */
export async function analyseRowInModes(engine: Engine, folder: string, row: LabelRow, opts: EvalOptions): Promise<ModeUnit[]> {
  const file = path.resolve(folder, row.path);
  const base = {
    line: row.line,
    path: row.path,
    label: row.label as ModeUnit['label'],
    kind: row.kind,
    species: row.label === 'spoof' ? attackSpecies(row.attack) : null,
    source: row.source,
    status: null,
    score: null,
    accepted: false,
  };
  const notApplicable = (mode: LivenessMode, reason: string): ModeUnit => ({ ...base, mode, applicable: false, reason });
  const failed = (mode: LivenessMode, err: unknown): ModeUnit => ({ ...base, mode, applicable: true, error: asCoded(err) });

  if (row.kind !== 'video') {
    // A still is one frame: only the passive decision can judge it.
    let still: { status: Status; score: number } | null = null;
    let stillError: unknown = null;
    if (opts.modes.includes('passive')) still = await judgeStill(engine, file, opts).catch((err: unknown) => ((stillError = err), null));
    return opts.modes.map((mode) => {
      if (mode !== 'passive') return notApplicable(mode, 'a still image cannot carry a challenge or a flash');
      if (!still) return failed(mode, stillError);
      return { ...base, mode, applicable: true, status: still.status, score: still.score, accepted: still.status === 'Approved' };
    });
  }

  let flash: Awaited<ReturnType<typeof recordedFlash>> = null;
  let flashError: unknown = null;
  if (opts.modes.some(needsFlash)) flash = await recordedFlash(folder, row).catch((err: unknown) => ((flashError = err), null));
  let frames: FrameAnalysis[];
  try {
    frames = await clipFrameAnalyses(engine, file, opts.fps);
  } catch (err) {
    return opts.modes.map((mode) => failed(mode, err));
  }
  return opts.modes.map((mode): ModeUnit => {
    if (needsFlash(mode) && flashError) return failed(mode, flashError);
    if (needsFlash(mode) && !flash) return notApplicable(mode, 'no recorded flash sequence (flash_sequence column or <clip>.flash.json)');
    try {
      const config = parseLivenessConfig({ liveness_mode: mode, liveness_threshold: opts.threshold });
      const { result } = analyzeClip(frames, config, {
        flashSequence: needsFlash(mode) ? flash!.sequence : undefined,
        flashStartMs: needsFlash(mode) ? flash!.startMs : undefined,
        modelVersions: engine.modelVersions(),
      });
      return {
        ...base,
        mode,
        applicable: true,
        status: result.status,
        score: result.liveness_score,
        accepted: result.status === 'Approved',
        frames: frames.length,
      };
    } catch (err) {
      return failed(mode, err);
    }
  });
}

async function judgeStill(engine: Engine, file: string, opts: EvalOptions): Promise<{ status: Status; score: number }> {
  const bytes = await readStillFile(file, { maxBytes: opts.maxBytes });
  const analysis = await engine.analyzeImage(bytes, { irises: false, maxBytes: opts.maxBytes });
  const decision = passiveDecision(analysis, opts.threshold);
  return { status: decision.status, score: decision.score };
}

/** Decode a clip at `fps` and analyse every sampled frame in time order (as a kiosk session sees them). */
async function clipFrameAnalyses(engine: Engine, file: string, fps: number): Promise<FrameAnalysis[]> {
  const analyses: FrameAnalysis[] = [];
  for await (const frame of decodeVideoFrames(file, { fps, maxWidth: 640 })) {
    analyses.push(await engine.analyzeFrame(frame, { timestampMs: frame.timestampMs }));
  }
  return analyses;
}

export interface ModeMetrics {
  mode: LivenessMode;
  /** Rows judged in this mode (applicable, no error). */
  judged: number;
  not_applicable: number;
  errors: number;
  /** Attacks Approved over attacks, per species and pooled. */
  apcer_per_species: Partial<Record<AttackSpecies, Proportion>>;
  apcer: Proportion;
  /** Bona fide not Approved over bona fide. */
  bpcer: Proportion;
  /** (worst species APCER + BPCER) / 2, ISO/IEC 30107-3's ACER; null without both classes. */
  acer: number | null;
  /** Bona fide sent to manual review (In Review), a cost BPCER hides. */
  bona_fide_in_review: number;
  subjects: number;
}

export function modeMetrics(units: readonly ModeUnit[], mode: LivenessMode): ModeMetrics {
  const inMode = units.filter((u) => u.mode === mode);
  const judged = inMode.filter((u) => u.applicable && !u.error);
  const attacks = judged.filter((u) => u.label === 'spoof');
  const bonaFide = judged.filter((u) => u.label === 'real');
  const perSpecies: Partial<Record<AttackSpecies, Proportion>> = {};
  for (const species of [...new Set(attacks.map((u) => u.species ?? 'other'))].sort()) {
    const group = attacks.filter((u) => (u.species ?? 'other') === species);
    perSpecies[species] = proportion(group.filter((u) => u.accepted).length, group.length);
  }
  const apcer = proportion(attacks.filter((u) => u.accepted).length, attacks.length);
  const bpcer = proportion(bonaFide.filter((u) => !u.accepted).length, bonaFide.length);
  const worst = Object.values(perSpecies).reduce<number | null>((m, p) => (p.rate === null ? m : Math.max(m ?? 0, p.rate)), null);
  return {
    mode,
    judged: judged.length,
    not_applicable: inMode.filter((u) => !u.applicable).length,
    errors: inMode.filter((u) => u.error).length,
    apcer_per_species: perSpecies,
    apcer,
    bpcer,
    acer: worst === null || bpcer.rate === null ? null : (worst + bpcer.rate) / 2,
    bona_fide_in_review: bonaFide.filter((u) => u.status === 'In Review').length,
    subjects: new Set(judged.map((u) => u.source)).size,
  };
}

export interface ModeEvalSummary {
  folder: string;
  threshold: number;
  fps: number;
  modes: ModeMetrics[];
  units: ModeUnit[];
  n_skipped_other: number;
  models: Record<string, string>;
}

export function summariseModes(
  units: ModeUnit[],
  opts: EvalOptions,
  skippedOther: number,
  models: Record<string, string>,
): ModeEvalSummary {
  return {
    folder: opts.folder,
    threshold: opts.threshold,
    fps: opts.fps,
    modes: opts.modes.map((mode) => modeMetrics(units, mode)),
    units,
    n_skipped_other: skippedOther,
    models,
  };
}
