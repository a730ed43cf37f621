// Screen cues: moiré peaks, fine-detail ratio, spectral slope and refresh banding on the native-resolution centre patch.
import type { Planes } from './sampling';
import { PATCH_N, toGrey } from './sampling';
import { bandingScore, powerSpectrum2d, spectrumStats } from './spectrum';

export const SCREEN_CUE_DOCS: Record<string, string> = {
  moire_peaks:
    'Fraction of high-frequency spectral power (FFT of the grey face crop, radius 0.2-1.0 of Nyquist) held by isolated peaks that stand 8x above their ring median: screen moiré. Higher on screens.',
  hf_ratio:
    'log10 of spectral power above half Nyquist over power above 0.05 Nyquist: fine detail. Low for blurred recaptures, high for over-sharpened ones.',
  spectral_slope: 'Slope of log radial power vs log frequency (a natural image is near -2; blur makes it steeper, i.e. more negative).',
  banding:
    'log10 of the strongest periodic component of the detrended row-mean profile over its median: refresh / rolling-shutter banding. Higher on screens.',
};

/** The screen cue group on a PATCH_N centre patch (see centrePatch). */
export function computeScreenCues(patch: Planes): Record<string, number> {
  const grey = toGrey(patch);
  const spec = spectrumStats(powerSpectrum2d(grey, PATCH_N), PATCH_N, 0.2, 1.0);
  return { moire_peaks: spec.peakFraction, hf_ratio: spec.hfRatio, spectral_slope: spec.slope, banding: bandingScore(grey, PATCH_N) };
}
