// Print cues: colour halftone screens, paper grain (LBP micro-texture) and ink-dot chroma detail on the centre patch.
import type { CueWanted, Planes } from './sampling';
import { chromaPlanes, EVERY_CUE, halve, PATCH_N, wantedCues } from './sampling';
import { pairedPowerSpectra, peakFraction } from './spectrum';

/** Side of the chroma plane the halftone cue runs on (the patch halved). */
const CHROMA_N = PATCH_N / 2;

export const PRINT_CUE_DOCS: Record<string, string> = {
  halftone:
    'Mean over Cb and Cr of the isolated-peak power fraction at mid-high frequencies: print halftone rosettes and sub-pixel colour patterns.',
  lbp_nonuniform:
    'Fraction of non-uniform LBP(8,1) codes (more than two 0/1 transitions around the pixel) on the native-resolution grey patch: paper grain and ink noise break the smooth gradients of skin.',
  chroma_detail:
    'log10 of the mean absolute Laplacian of Cb and Cr over that of luma on the native-resolution patch: ink dots and screen sub-pixels put detail into colour; a camera looking at skin puts it into brightness.',
};

/** Number of 0/1 transitions around each of the 256 LBP codes, circularly. */
const TRANSITIONS = Uint8Array.from({ length: 256 }, (_, code) => {
  let t = 0;
  for (let b = 0; b < 8; b++) if (((code >> b) & 1) !== ((code >> ((b + 1) % 8)) & 1)) t++;
  return t;
});

function lbpNonUniform(grey: Float32Array, n: number): number {
  // Neighbour offsets clockwise from the top-left.
  const offsets = [-n - 1, -n, -n + 1, 1, n + 1, n, n - 1, -1];
  let nonUniform = 0;
  let total = 0;
  for (let y = 1; y < n - 1; y++) {
    for (let x = 1; x < n - 1; x++) {
      const i = y * n + x;
      const c = grey[i];
      let code = 0;
      for (let b = 0; b < 8; b++) if (grey[i + offsets[b]] >= c) code |= 1 << b;
      if (TRANSITIONS[code] > 2) nonUniform++;
      total++;
    }
  }
  return total ? nonUniform / total : 0;
}

function meanAbsLaplacian(plane: Float32Array, n: number): number {
  let sum = 0;
  for (let y = 1; y < n - 1; y++) {
    for (let x = 1; x < n - 1; x++) {
      const i = y * n + x;
      sum += Math.abs(plane[i - 1] + plane[i + 1] + plane[i - n] + plane[i + n] - 4 * plane[i]);
    }
  }
  return sum / ((n - 2) * (n - 2));
}

/** The wanted print cues on a PATCH_N centre patch (see centrePatch) and its grey plane. */
export function computePrintCues(patch: Planes, grey: Float32Array, wants: CueWanted = EVERY_CUE): Record<string, number> {
  return wantedCues(wants, {
    halftone: () => {
      // Chroma planes at half resolution (prints' colour screens beat at mid-high frequencies).
      const half = chromaPlanes(halve(patch));
      const [cbPower, crPower] = pairedPowerSpectra(half.cb, half.cr, CHROMA_N);
      return (peakFraction(cbPower, CHROMA_N, 0.3, 1.0) + peakFraction(crPower, CHROMA_N, 0.3, 1.0)) / 2;
    },
    lbp_nonuniform: () => lbpNonUniform(grey, PATCH_N),
    chroma_detail: () => {
      const full = chromaPlanes(patch);
      const lumaDetail = meanAbsLaplacian(grey, PATCH_N);
      const chromaDetail = (meanAbsLaplacian(full.cb, PATCH_N) + meanAbsLaplacian(full.cr, PATCH_N)) / 2;
      return Math.log10((chromaDetail + 1e-3) / (lumaDetail + 1e-3));
    },
  });
}
