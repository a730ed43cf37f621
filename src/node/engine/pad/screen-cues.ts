// Screen cues: moiré peaks, fine-detail ratio, spectral slope and refresh banding on the native-resolution centre patch.
import { EVERY_CUE, once, PATCH_N, wantedCues, type CueWanted } from './sampling';
import { bandingScore, peakFraction, powerSpectrum2d, spectrumShape } from './spectrum';

export const SCREEN_CUE_DOCS: Record<string, string> = {
  moire_peaks:
    'Fraction of high-frequency spectral power (FFT of the grey face crop, radius 0.2-1.0 of Nyquist) held by isolated peaks that stand 8x above their ring median: screen moiré. Higher on screens.',
  hf_ratio:
    'log10 of spectral power above half Nyquist over power above 0.05 Nyquist: fine detail. Low for blurred recaptures, high for over-sharpened ones.',
  spectral_slope: 'Slope of log radial power vs log frequency (a natural image is near -2; blur makes it steeper, i.e. more negative).',
  banding:
    'log10 of the strongest periodic component of the detrended row-mean profile over its median: refresh / rolling-shutter banding. Higher on screens.',
};

/** The wanted screen cues on the grey PATCH_N centre patch (see centrePatch). */
export function computeScreenCues(grey: Float32Array, wants: CueWanted = EVERY_CUE): Record<string, number> {
  const power = once(() => powerSpectrum2d(grey, PATCH_N));
  const shape = once(() => spectrumShape(power(), PATCH_N));
  return wantedCues(wants, {
    moire_peaks: () => peakFraction(power(), PATCH_N, 0.2, 1.0),
    hf_ratio: () => shape().hfRatio,
    spectral_slope: () => shape().slope,
    banding: () => bandingScore(grey, PATCH_N),
  });
}
