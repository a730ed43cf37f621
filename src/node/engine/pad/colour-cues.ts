// Colour-reproduction cues: how a display re-emits skin (highlights clipped to its white point, hue scattered by
// its sub-pixels and colour noise, a narrower skin gamut), read from the face crop and from mesh-placed cheek patches.
import type { Point3 } from '../../../shared/analysis';
import type { RgbFrame } from '../api';
import type { CueWanted, Planes } from './sampling';
import { EVERY_CUE, once, wantedCues } from './sampling';

export const COLOUR_CUE_DOCS: Record<string, string> = {
  highlight_saturation:
    "Mean HSV saturation of the brightest quarter of face pixels: a display's tone curve clips skin highlights to its white point, live highlights stay skin-coloured.",
  hue_spread:
    'Standard deviation of the HSV hue of face pixels (turns, wrapped about red): sub-pixel fringes and colour noise of a recapture scatter hue; live skin keeps one hue.',
  saturation_cv: 'Coefficient of variation of HSV saturation over the face: a recapture mixes washed-out and over-saturated patches.',
};

export const CHEEK_CUE_DOCS: Record<string, string> = {
  cheek_saturation: 'HSV saturation of the mean colour of mesh-placed cheek patches: the skin itself, without hair, eyes or background.',
  cheek_green_blue:
    "(G - B) / (R + G + B) of the cheek patches: live skin has far more green than blue; a screen's bluish white point closes the gap.",
};

/** Mesh indices around the centre of each cheek. */
const CHEEK_POINTS = [50, 101, 36, 205, 187, 123, 117, 280, 330, 266, 425, 411, 352, 346];
/** Outer eye corners, to scale the patches to the face. */
const EYE_OUTER = [33, 263] as const;
/** Patch half-side as a fraction of the distance between the outer eye corners. */
const PATCH_HALF_SIDE = 0.03;

/** HSV hue in turns (0-1, negative just below red): the hexcone formula. */
function hueTurns(r: number, g: number, b: number): number {
  const max = Math.max(r, g, b);
  const d = max - Math.min(r, g, b);
  if (!(d > 0)) return 0;
  if (max === r) return (((g - b) / d) % 6) / 6;
  if (max === g) return ((b - r) / d + 2) / 6;
  return ((r - g) / d + 4) / 6;
}

/** HSV saturation (0-1). */
function hsvSaturation(r: number, g: number, b: number): number {
  const max = Math.max(r, g, b);
  return max > 0 ? (max - Math.min(r, g, b)) / max : 0;
}

const mean = (v: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  return s / v.length;
};
const std = (v: ArrayLike<number>, m: number): number => {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i] - m) ** 2;
  return Math.sqrt(s / v.length);
};

/** Largest channel value whose quarter steps still index the key table (sampleRegion averages 1, 2 or 4 bytes). */
const KEY_STEPS = 4;
const MAX_KEY = 255 * KEY_STEPS;

/**
 * Pixel indices in ascending order of brightness (HSV value), ties in index order: the stable sort by value, done as a
 * counting sort when every channel maximum is a quarter step of 0-255 (always so for sampleRegion's planes).
 */
function orderByValue(maxChannel: Float32Array): Uint32Array | number[] {
  const n = maxChannel.length;
  const keys = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const key = maxChannel[i] * KEY_STEPS;
    if (!(key >= 0 && key <= MAX_KEY && Number.isInteger(key))) {
      return Array.from({ length: n }, (_, k) => k).sort((a, b) => maxChannel[a] - maxChannel[b]);
    }
    keys[i] = key;
  }
  const start = new Uint32Array(MAX_KEY + 2);
  for (let i = 0; i < n; i++) start[keys[i] + 1]++;
  for (let k = 1; k <= MAX_KEY + 1; k++) start[k] += start[k - 1];
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[start[keys[i]]++] = i;
  return order;
}

/** The wanted colour cues on the whole-face crop (the same FACE_N x FACE_N planes as the face statistics). */
export function computeColourCues(face: Planes, wants: CueWanted = EVERY_CUE): Record<string, number> {
  const n = face.w * face.h;
  const hue = new Float64Array(n);
  const sat = new Float64Array(n);
  const maxChannel = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = face.r[i];
    const g = face.g[i];
    const b = face.b[i];
    const h = hueTurns(r, g, b);
    const max = Math.max(r, g, b);
    // Skin hues straddle red (0 = 1 turn): wrap to (-0.5, 0.5] so the spread is not split in two.
    hue[i] = h > 0.5 ? h - 1 : h;
    sat[i] = max > 0 ? (max - Math.min(r, g, b)) / max : 0;
    maxChannel[i] = max;
  }
  const satMean = once(() => mean(sat));
  return wantedCues(wants, {
    highlight_saturation: () => {
      // The brightest quarter of the pixels by HSV value (max / 255, so ordered by the largest channel).
      const order = orderByValue(maxChannel);
      const from = Math.floor((3 * n) / 4);
      let brightSat = 0;
      for (let k = from; k < n; k++) brightSat += sat[order[k]];
      return brightSat / (n - from);
    },
    hue_spread: () => std(hue, mean(hue)),
    saturation_cv: () => std(sat, satMean()) / (satMean() + 1e-3),
  });
}

/** The cheek cues from small patches of the frame around mesh cheek points; needs the 468-point mesh. */
export function computeCheekCues(frame: RgbFrame, mesh: readonly Point3[], wants: CueWanted = EVERY_CUE): Record<string, number> {
  const [a, b] = EYE_OUTER.map((i) => mesh[i]);
  const half = Math.max(1, Math.round(Math.hypot(a[0] - b[0], a[1] - b[1]) * PATCH_HALF_SIDE));
  let r = 0;
  let g = 0;
  let bl = 0;
  let count = 0;
  for (const index of CHEEK_POINTS) {
    const [cx, cy] = mesh[index];
    for (let dy = -half; dy <= half; dy++) {
      for (let dx = -half; dx <= half; dx++) {
        const x = Math.round(cx + dx);
        const y = Math.round(cy + dy);
        if (x < 0 || y < 0 || x >= frame.width || y >= frame.height) continue;
        const p = (y * frame.width + x) * 3;
        r += frame.data[p];
        g += frame.data[p + 1];
        bl += frame.data[p + 2];
        count++;
      }
    }
  }
  if (count === 0) return {};
  [r, g, bl] = [r / count, g / count, bl / count];
  return wantedCues(wants, { cheek_saturation: () => hsvSaturation(r, g, bl), cheek_green_blue: () => (g - bl) / (r + g + bl + 1) });
}
