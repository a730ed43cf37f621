// Colour-reproduction cues: how a display re-emits skin (highlights clipped to its white point, hue scattered by
// its sub-pixels and colour noise, a narrower skin gamut), read from the face crop and from mesh-placed cheek patches.
import type { Point3 } from '../../../shared/analysis';
import type { RgbFrame } from '../api';
import type { Planes } from './sampling';

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

function hsv(r: number, g: number, b: number): [hue: number, saturation: number, value: number] {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const d = max - min;
  let h = 0;
  if (d > 0) {
    if (max === r) h = ((g - b) / d) % 6;
    else if (max === g) h = (b - r) / d + 2;
    else h = (r - g) / d + 4;
  }
  return [h / 6, max > 0 ? d / max : 0, max / 255];
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

/** The colour cues on the whole-face crop (the same FACE_N x FACE_N planes as the face statistics). */
export function computeColourCues(face: Planes): Record<string, number> {
  const n = face.w * face.h;
  const hue = new Float64Array(n);
  const sat = new Float64Array(n);
  const val = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const [h, s, v] = hsv(face.r[i], face.g[i], face.b[i]);
    // Skin hues straddle red (0 = 1 turn): wrap to (-0.5, 0.5] so the spread is not split in two.
    hue[i] = h > 0.5 ? h - 1 : h;
    sat[i] = s;
    val[i] = v;
  }
  const satMean = mean(sat);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => val[a] - val[b]);
  const brightest = order.slice(Math.floor((3 * n) / 4));
  let brightSat = 0;
  for (const i of brightest) brightSat += sat[i];

  return {
    highlight_saturation: brightSat / brightest.length,
    hue_spread: std(hue, mean(hue)),
    saturation_cv: std(sat, satMean) / (satMean + 1e-3),
  };
}

/** The cheek cues from small patches of the frame around mesh cheek points; needs the 468-point mesh. */
export function computeCheekCues(frame: RgbFrame, mesh: readonly Point3[]): Record<string, number> {
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
  return { cheek_saturation: hsv(r, g, bl)[1], cheek_green_blue: (g - bl) / (r + g + bl + 1) };
}
