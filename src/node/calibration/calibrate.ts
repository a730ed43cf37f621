// `liveness calibrate`: pool opened capture packs from one or several sites, re-judge each recorded attempt with the
// kiosk's decision core, refit the pass threshold and the flash and planar constants where the data separates the
// classes, and report APCER per species and BPCER with 95% intervals and the subjects and attempts behind each.
import type { FrameAnalysis } from '../../shared/analysis';
import type { Challenge } from '../../shared/catalogue';
import { parseLivenessConfig } from '../../shared/config';
import { percentileOfSorted } from '../../shared/stats';
import { DEFAULT_FLASH_TUNING, DEFAULT_PLANAR_TUNING, TUNABLES, type FlashTuning, type PlanarTuning } from '../../shared/tunables';
import type { CaptureLabel } from '../../shared/capture';
import { analyzeClip } from '../../liveness/clip';
import type { AttackSpecies } from '../eval/labels';
import { thresholdAtBpcer } from '../eval/metrics';
import type { PackManifest } from './pack';
import { proportion, type Proportion } from './statistics';

/** BPCER the refit pass threshold is placed at, unless --max-bpcer says otherwise (the eval's operating point). */
export const DEFAULT_MAX_BPCER = 0.15;
/** Quantile of the bona fide measures taken as the "clearly live" end of a refit range (robust to one bad capture). */
const GENUINE_LOW_QUANTILE = 0.1;
/** Quantile of the attack measures taken as the "clearly attack" end. */
const ATTACK_HIGH_QUANTILE = 0.9;

export const LABEL_SPECIES: Record<CaptureLabel, AttackSpecies | null> = {
  genuine: null,
  print: 'print',
  screen_replay: 'replay',
  mask: 'mask',
  other: 'other',
};

export interface SiteTuning {
  threshold: number;
  flash: FlashTuning;
  planar: PlanarTuning;
}

/** One recorded attempt, re-judged. */
export interface AttemptResult {
  packId: string;
  siteId: string;
  subject: string;
  label: CaptureLabel;
  species: AttackSpecies | null;
  mode: PackManifest['session']['mode'];
  frames: number;
  cameraLocked: boolean | null;
  score: number;
  status: string;
  accepted: boolean;
  flash: { verdict: string; spatialVariation: number; meanAmplitude: number } | null;
  planar: { residual: number | null; maxMotion: number } | null;
}

/** Re-judge one pack's recorded frames in its own mode, as the kiosk did, with the given constants. */
export function judgePack(manifest: PackManifest, tuning: SiteTuning): AttemptResult {
  const s = manifest.session;
  const frames: FrameAnalysis[] = manifest.frames.map((f) => ({ ...f.analysis, timestampMs: f.timestamp_ms }));
  const config = parseLivenessConfig({ liveness_mode: s.mode, liveness_threshold: tuning.threshold });
  const clip = analyzeClip(frames, config, {
    expectOrder: s.challenges.length ? (s.challenges as Challenge[]) : undefined,
    flashSequence: s.flash_sequence ?? undefined,
    flashStartMs: s.flash_start_ms ?? undefined,
    tuning: { flash: tuning.flash, planar: tuning.planar },
    sessionId: s.session_id,
  });
  const camera = manifest.camera;
  return {
    packId: manifest.pack_id,
    siteId: manifest.site_id,
    subject: `${manifest.site_id}/${manifest.subject_ref}`,
    label: manifest.label,
    species: LABEL_SPECIES[manifest.label],
    mode: s.mode,
    frames: frames.length,
    cameraLocked: camera ? camera.exposure_locked && camera.white_balance_locked : null,
    score: clip.result.liveness_score,
    status: clip.result.status,
    accepted: clip.result.status === 'Approved',
    flash:
      clip.flash && clip.flash.verdict !== 'insufficient'
        ? { verdict: clip.flash.verdict, spatialVariation: clip.flash.spatialVariation, meanAmplitude: clip.flash.meanAmplitude }
        : null,
    planar: clip.planar ? { residual: clip.planar.residual, maxMotion: clip.planar.maxMotion } : null,
  };
}

export interface RateTable {
  bpcer: Proportion & { subjects: number };
  apcer: Partial<Record<AttackSpecies, Proportion & { subjects: number }>>;
}

export function rateTable(attempts: readonly AttemptResult[]): RateTable {
  const withSubjects = (group: readonly AttemptResult[], errors: number) => ({
    ...proportion(errors, group.length),
    subjects: new Set(group.map((a) => a.subject)).size,
  });
  const genuine = attempts.filter((a) => a.species === null);
  const apcer: RateTable['apcer'] = {};
  for (const species of [...new Set(attempts.map((a) => a.species).filter((s): s is AttackSpecies => s !== null))].sort()) {
    const group = attempts.filter((a) => a.species === species);
    apcer[species] = withSubjects(group, group.filter((a) => a.accepted).length);
  }
  return { bpcer: withSubjects(genuine, genuine.filter((a) => !a.accepted).length), apcer };
}

const quantile = (values: readonly number[], q: number): number =>
  percentileOfSorted(
    [...values].sort((a, b) => a - b),
    q * 100,
  );

export interface ConstantRefit {
  name: string;
  before: number;
  after: number;
  refit: boolean;
  /** Why it was or was not refit, with the counts behind it. */
  basis: string;
}

/**
 * A "flat"/"3D" pair refit from one measure: the attacks' high quantile becomes the flat end and the bona fide low
 * quantile the 3D end, when the classes separate; otherwise both stay as they were and the reason says so.
 */
function refitRange(
  names: [string, string],
  defaults: [number, number],
  genuine: readonly number[],
  attacks: readonly number[],
): [ConstantRefit, ConstantRefit] {
  const keep = (basis: string): [ConstantRefit, ConstantRefit] => [
    { name: names[0], before: defaults[0], after: defaults[0], refit: false, basis },
    { name: names[1], before: defaults[1], after: defaults[1], refit: false, basis },
  ];
  if (genuine.length === 0 || attacks.length === 0)
    return keep(`not refit: needs bona fide and attack attempts with this measure (have ${genuine.length} and ${attacks.length})`);
  const flat = quantile(attacks, ATTACK_HIGH_QUANTILE);
  const live = quantile(genuine, GENUINE_LOW_QUANTILE);
  if (!(live > flat))
    return keep(
      `not refit: the classes overlap (attack p90 ${flat.toFixed(4)} >= bona fide p10 ${live.toFixed(4)}; ${genuine.length} bona fide, ${attacks.length} attack attempts)`,
    );
  const basis = `attack p90 and bona fide p10 over ${attacks.length} attack and ${genuine.length} bona fide attempts`;
  return [
    { name: names[0], before: defaults[0], after: Number(flat.toFixed(4)), refit: true, basis },
    { name: names[1], before: defaults[1], after: Number(live.toFixed(4)), refit: true, basis },
  ];
}

export interface CalibrationReport {
  sites: string[];
  packs: number;
  subjects: number;
  /** Attempts per label. */
  attemptsByLabel: Partial<Record<CaptureLabel, number>>;
  /** Packs whose camera held exposure and white balance for the flash / did not / did not say. */
  cameraLock: { locked: number; notLocked: number; unknown: number };
  current: { tuning: SiteTuning; rates: RateTable };
  refit: { tuning: SiteTuning; rates: RateTable; constants: ConstantRefit[] };
  attempts: AttemptResult[];
}

/** Pool packs, judge them with the shipped constants, refit, and judge again with the site's constants (in-sample). */
export function calibrate(manifests: readonly PackManifest[], options: { threshold: number; maxBpcer?: number }): CalibrationReport {
  const current: SiteTuning = { threshold: options.threshold, flash: { ...DEFAULT_FLASH_TUNING }, planar: { ...DEFAULT_PLANAR_TUNING } };
  const before = manifests.map((m) => judgePack(m, current));
  const genuine = before.filter((a) => a.species === null);
  const attacks = before.filter((a) => a.species !== null);
  const constants: ConstantRefit[] = [];

  const [flat, threeD] = refitRange(
    ['flashVariationFlat', 'flashVariation3d'],
    [current.flash.variationFlat, current.flash.variation3d],
    genuine.flatMap((a) => (a.flash ? [a.flash.spatialVariation] : [])),
    attacks.flatMap((a) => (a.flash ? [a.flash.spatialVariation] : [])),
  );
  const [planarFlat, planar3d] = refitRange(
    ['planarResidualFlat', 'planarResidual3d'],
    [current.planar.residualFlat, current.planar.residual3d],
    genuine.flatMap((a) => (a.planar?.residual != null ? [a.planar.residual] : [])),
    attacks.flatMap((a) => (a.planar?.residual != null ? [a.planar.residual] : [])),
  );
  constants.push(flat, threeD, planarFlat, planar3d);
  const tuning: SiteTuning = {
    threshold: current.threshold,
    flash: { ...current.flash, variationFlat: flat.after, variation3d: threeD.after },
    planar: { ...current.planar, residualFlat: planarFlat.after, residual3d: planar3d.after },
  };

  // The pass threshold last, on the scores the refit constants give: the highest one that keeps BPCER at target.
  const rescored = manifests.map((m) => judgePack(m, tuning));
  const maxBpcer = options.maxBpcer ?? DEFAULT_MAX_BPCER;
  const samples = rescored.map((a) => ({ label: a.species === null ? ('real' as const) : ('spoof' as const), score: a.score }));
  const reals = samples.filter((s) => s.label === 'real').length;
  if (reals > 0) {
    const op = thresholdAtBpcer(samples, maxBpcer);
    const threshold = Math.max(0, Math.min(100, Math.floor(op.threshold)));
    constants.push({
      name: 'liveness_threshold',
      before: current.threshold,
      after: threshold,
      refit: true,
      basis: `highest threshold with BPCER <= ${(maxBpcer * 100).toFixed(0)}% over ${reals} bona fide attempts`,
    });
    tuning.threshold = threshold;
  } else {
    constants.push({
      name: 'liveness_threshold',
      before: current.threshold,
      after: current.threshold,
      refit: false,
      basis: 'not refit: no bona fide attempt',
    });
  }
  const after = manifests.map((m) => judgePack(m, tuning));

  const attemptsByLabel: CalibrationReport['attemptsByLabel'] = {};
  for (const m of manifests) attemptsByLabel[m.label] = (attemptsByLabel[m.label] ?? 0) + 1;
  return {
    sites: [...new Set(manifests.map((m) => m.site_id))].sort(),
    packs: manifests.length,
    subjects: new Set(before.map((a) => a.subject)).size,
    attemptsByLabel,
    cameraLock: {
      locked: before.filter((a) => a.cameraLocked === true).length,
      notLocked: before.filter((a) => a.cameraLocked === false).length,
      unknown: before.filter((a) => a.cameraLocked === null).length,
    },
    current: { tuning: current, rates: rateTable(before) },
    refit: { tuning, rates: rateTable(after), constants },
    attempts: after,
  };
}

/** The site profile a workflow can carry: the refit constants, with the data behind each. */
export function siteProfile(report: CalibrationReport, createdAt: string) {
  return {
    format: 'liveness-site-profile',
    version: 1,
    created_at: createdAt,
    sites: report.sites,
    evidence: { packs: report.packs, subjects: report.subjects, attempts_by_label: report.attemptsByLabel, camera_lock: report.cameraLock },
    liveness_threshold: report.refit.tuning.threshold,
    flash: report.refit.tuning.flash,
    planar: report.refit.tuning.planar,
    constants: report.refit.constants.map((c) => ({
      ...c,
      tuned_on_before: c.name in TUNABLES ? TUNABLES[c.name as keyof typeof TUNABLES].tunedOn : 'kiosk setting',
    })),
    note: 'Figures on the packs these constants were refit on are in-sample; confirm on packs recorded afterwards (liveness calibrate --profile-in <this file> <new packs>).',
  };
}
export type SiteProfile = ReturnType<typeof siteProfile>;
