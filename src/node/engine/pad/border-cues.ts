// Border cues: a straight bezel or photo edge in the ring around the face (phones, tablets, held-up prints).
import type { BBox } from '../../../shared/analysis';
import type { RgbFrame } from '../api';
import { EVERY_CUE, once, sampleRegion, toGrey, wantedCues, type CueWanted } from './sampling';

/** Side of the square the ring (area around the face) is resampled to. */
const RING_N = 96;
/** Outer edge of the ring, as a multiple of the face box size (centred on the box). */
const RING_OUTER = 2.2;
/** Inner edge of the ring: a margin outside the box so hair and jaw edges do not count as a bezel. */
const RING_INNER = 1.15;

export const BORDER_CUE_DOCS: Record<string, string> = {
  border_line:
    'Coverage (0-1) of the strongest straight edge in the ring outside the face box, voted only by edge pixels aligned with it: a bezel or photo edge.',
  border_parallel:
    'Coverage of the strongest straight edge parallel to border_line and clearly apart from it (0 when none): the two sides of a phone or a print.',
  ring_coverage: 'Fraction of the ring that lies inside the frame (0 for a tight crop, where the border cues cannot speak).',
};

export interface BorderStats {
  line: number;
  parallel: number;
  coverage: number;
}

/**
 * Hough transform over edge pixels of the ring, each voting only for lines along its own edge direction (+-9 deg),
 * so a long straight high-contrast edge (bezel, print edge) stands out from texture.
 */
export function borderStats(frame: RgbFrame, bbox: BBox): BorderStats {
  const [bx, by, bw, bh] = bbox;
  const cx = bx + bw / 2;
  const cy = by + bh / 2;
  const ow = bw * RING_OUTER;
  const oh = bh * RING_OUTER;
  const ring = sampleRegion(frame, cx - ow / 2, cy - oh / 2, ow, oh, RING_N, RING_N);
  const grey = toGrey(ring);
  const n = RING_N;
  const innerHalf = (n * RING_INNER) / RING_OUTER / 2;
  const inRing = (x: number, y: number) => Math.abs(x + 0.5 - n / 2) > innerHalf || Math.abs(y + 0.5 - n / 2) > innerHalf;
  let ringPixels = 0;
  let validRing = 0;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      if (!inRing(x, y)) continue;
      ringPixels++;
      if (ring.valid[y * n + x]) validRing++;
    }
  }
  const coverage = ringPixels ? validRing / ringPixels : 0;
  if (validRing < ringPixels * 0.05) return { line: 0, parallel: 0, coverage };

  const ANGLES = 60; // 3-degree steps over [0, 180)
  const diag = Math.ceil(Math.hypot(n, n));
  const votes = new Float32Array(ANGLES * (2 * diag + 1));
  const cosT = new Float64Array(ANGLES);
  const sinT = new Float64Array(ANGLES);
  for (let a = 0; a < ANGLES; a++) {
    cosT[a] = Math.cos((a * Math.PI) / ANGLES);
    sinT[a] = Math.sin((a * Math.PI) / ANGLES);
  }
  // A Sobel magnitude of 80 is a step of ~20 grey levels: strong contrast, not skin texture.
  const EDGE = 80;
  for (let y = 1; y < n - 1; y++) {
    for (let x = 1; x < n - 1; x++) {
      if (!inRing(x, y)) continue;
      const i = y * n + x;
      if (!ring.valid[i - n - 1] || !ring.valid[i + n + 1] || !ring.valid[i - n + 1] || !ring.valid[i + n - 1]) continue;
      const gx = grey[i - n + 1] + 2 * grey[i + 1] + grey[i + n + 1] - grey[i - n - 1] - 2 * grey[i - 1] - grey[i + n - 1];
      const gy = grey[i + n - 1] + 2 * grey[i + n] + grey[i + n + 1] - grey[i - n - 1] - 2 * grey[i - n] - grey[i - n + 1];
      if (gx * gx + gy * gy < EDGE * EDGE) continue;
      // The line's normal is the gradient direction; vote near it only.
      let normal = Math.atan2(gy, gx);
      if (normal < 0) normal += Math.PI;
      const centre = Math.round((normal / Math.PI) * ANGLES);
      for (let d = -3; d <= 3; d++) {
        const a = (((centre + d) % ANGLES) + ANGLES) % ANGLES;
        const rho = Math.round(x * cosT[a] + y * sinT[a]);
        votes[a * (2 * diag + 1) + rho + diag] += 1;
      }
    }
  }
  let best = 0;
  let bestA = 0;
  let bestRho = 0;
  for (let a = 0; a < ANGLES; a++) {
    for (let r = 0; r <= 2 * diag; r++) {
      const v = votes[a * (2 * diag + 1) + r];
      if (v > best) {
        best = v;
        bestA = a;
        bestRho = r;
      }
    }
  }
  let parallel = 0;
  for (let d = -2; d <= 2; d++) {
    const a = (((bestA + d) % ANGLES) + ANGLES) % ANGLES;
    for (let r = 0; r <= 2 * diag; r++) {
      if (Math.abs(r - bestRho) < n / 4) continue;
      parallel = Math.max(parallel, votes[a * (2 * diag + 1) + r]);
    }
  }
  // Each of the 7 angle bins around the true one gets a vote per pixel, so 1 pixel ~ 1 vote on the best bin.
  return { line: Math.min(1, best / n), parallel: Math.min(1, parallel / n), coverage };
}

/** The wanted border cues for a face box already clamped to the frame (one ring scan serves all three). */
export function computeBorderCues(frame: RgbFrame, box: BBox, wants: CueWanted = EVERY_CUE): Record<string, number> {
  const border = once(() => borderStats(frame, box));
  return wantedCues(wants, {
    border_line: () => border().line,
    border_parallel: () => border().parallel,
    ring_coverage: () => border().coverage,
  });
}
