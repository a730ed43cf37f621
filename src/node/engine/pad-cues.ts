// Physical presentation-attack cues for one face: the cue groups in ./pad/ (screen, print, border, face statistics,
// colour, mask), computed on demand and documented in PAD_CUE_DOCS. Pure math on pixels, no Node imports.
import type { BBox, Point3 } from '../../shared/analysis';
import type { RgbFrame } from './api';
import { BORDER_CUE_DOCS, computeBorderCues } from './pad/border-cues';
import { CHEEK_CUE_DOCS, COLOUR_CUE_DOCS, computeCheekCues, computeColourCues } from './pad/colour-cues';
import { computeFaceStats, FACE_N, FACE_STAT_DOCS } from './pad/face-stats';
import { computeMaskCues, MASK_CUE_DOCS } from './pad/mask-cues';
import { computePrintCues, PRINT_CUE_DOCS } from './pad/print-cues';
import { centrePatch, clampBox, EVERY_CUE, sampleRegion, toGrey, type CueWanted } from './pad/sampling';
import { computeScreenCues, SCREEN_CUE_DOCS } from './pad/screen-cues';

export { fft1d, powerSpectrum2d } from './pad/spectrum';

/** What each cue measures and which way recaptures usually push it. */
export const PAD_CUE_DOCS: Record<string, string> = {
  ...SCREEN_CUE_DOCS,
  ...PRINT_CUE_DOCS,
  ...BORDER_CUE_DOCS,
  ...FACE_STAT_DOCS,
  ...MASK_CUE_DOCS,
  ...COLOUR_CUE_DOCS,
  ...CHEEK_CUE_DOCS,
};

export const PAD_CUE_NAMES = Object.keys(PAD_CUE_DOCS);

const SCREEN_CUES = Object.keys(SCREEN_CUE_DOCS);
const PRINT_CUES = Object.keys(PRINT_CUE_DOCS);
const BORDER_CUES = Object.keys(BORDER_CUE_DOCS);
const MASK_CUES = Object.keys(MASK_CUE_DOCS);
const CHEEK_CUES = Object.keys(CHEEK_CUE_DOCS);
const FACE_CUES = [...Object.keys(FACE_STAT_DOCS), ...Object.keys(COLOUR_CUE_DOCS)];

/**
 * Physical PAD cues for one face: name -> number (see PAD_CUE_DOCS). Every cue by default; with `wanted`, exactly
 * the wanted cues, and only the work they need (the fused score reads a subset: the rest stays off the hot path).
 * The mask and cheek cues need the face mesh and are left out without one.
 */
export function computePadCues(
  frame: RgbFrame,
  bbox: BBox,
  wanted?: ReadonlySet<string>,
  mesh?: readonly Point3[],
): Record<string, number> {
  const wants: CueWanted = wanted ? (name) => wanted.has(name) : EVERY_CUE;
  const needs = (group: string[]): boolean => group.some(wants);
  if (frame.data.length < frame.width * frame.height * 3 || frame.width < 2 || frame.height < 2) {
    throw new RangeError('computePadCues: frame data is smaller than width x height x 3');
  }
  const box = clampBox(frame, bbox);
  const cues: Record<string, number> = {};
  const screen = needs(SCREEN_CUES);
  const print = needs(PRINT_CUES);
  if (screen || print) {
    const patch = centrePatch(frame, box);
    const grey = toGrey(patch);
    if (screen) Object.assign(cues, computeScreenCues(grey, wants));
    if (print) Object.assign(cues, computePrintCues(patch, grey, wants));
  }
  if (needs(BORDER_CUES)) Object.assign(cues, computeBorderCues(frame, box, wants));
  if (mesh && mesh.length >= 468 && needs(MASK_CUES)) Object.assign(cues, computeMaskCues(mesh));
  if (mesh && mesh.length >= 468 && needs(CHEEK_CUES)) Object.assign(cues, computeCheekCues(frame, mesh, wants));
  if (needs(FACE_CUES)) {
    // The inner 80% of the box: skin and features, little hair or background.
    const face = sampleRegion(frame, box[0] + box[2] * 0.1, box[1] + box[3] * 0.1, box[2] * 0.8, box[3] * 0.8, FACE_N, FACE_N);
    Object.assign(cues, computeFaceStats(face, wants), computeColourCues(face, wants));
  }
  return cues;
}
