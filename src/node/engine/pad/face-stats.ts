// Face statistics: colour gamut, glare, sharpness and tone on the whole face, cues every recapture shifts a little.
import type { CueWanted, Planes } from './sampling';
import { EVERY_CUE, once, percentile, toGrey, wantedCues } from './sampling';

/** Side of the whole-face crop the colour, glare and sharpness statistics run on. */
export const FACE_N = 64;

export const FACE_STAT_DOCS: Record<string, string> = {
  glare_frac:
    'Fraction of face pixels that are saturated near-white (min channel > 235, low chroma): specular glare off glass or glossy paper.',
  glare_cluster:
    'Fraction of glare pixels whose four neighbours are glare too: glare from a flat surface forms blobs, skin highlights are sparse.',
  lap_var:
    'log10 of the Laplacian variance over the intensity variance of the face crop: sharpness independent of contrast. Low for blurred recaptures.',
  lap_kurtosis: 'log10 of the kurtosis of the Laplacian: heavy tails mean ringing / overshoot at edges from re-sharpening.',
  chroma_spread: 'Standard deviation of chroma (Cb, Cr combined, 0-255 units) over the face: screens and prints compress the gamut.',
  saturation: 'Mean HSV saturation of the face (0-1): washed-out recaptures are low.',
  skin_chroma_dist:
    'Distance (0-255 units) of the mean face chroma (Cb, Cr) from the skin-tone centre (102, 153): screen white points shift hue.',
  dynamic_range: '(98th - 2nd percentile) of face luminance over 255: recaptures lose dynamic range.',
  local_contrast: 'Mean absolute difference between each face pixel and its 3x3 mean, over the mean luminance: micro-texture.',
  black_lift:
    "2nd percentile of face luminance over its median: a screen's black level and the glare on its glass lift the darkest pixels (pupils, nostrils); a live face keeps them deep.",
  red_share:
    "Mean of R / (R + G + B) over the face: blood under live skin is red; a screen's or a print's reproduction of skin loses red to the display white point or the ink.",
};

/** Sums over every face pixel: chroma, saturation, red share, luma, and the glare mask. */
function pixelSums(face: Planes, grey: Float32Array) {
  const count = FACE_N * FACE_N;
  let sumCb = 0;
  let sumCr = 0;
  let sumCb2 = 0;
  let sumCr2 = 0;
  let sumSat = 0;
  let sumRed = 0;
  let sumY = 0;
  let sumY2 = 0;
  const glare = new Uint8Array(count);
  let glareCount = 0;
  for (let i = 0; i < count; i++) {
    const r = face.r[i];
    const g = face.g[i];
    const b = face.b[i];
    const cbv = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b;
    const crv = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b;
    sumCb += cbv;
    sumCr += crv;
    sumCb2 += cbv * cbv;
    sumCr2 += crv * crv;
    const max = Math.max(r, g, b);
    const min = Math.min(r, g, b);
    sumSat += max > 0 ? (max - min) / max : 0;
    sumRed += r / (r + g + b + 1e-3);
    sumY += grey[i];
    sumY2 += grey[i] * grey[i];
    if (min > 235 && max - min < 30) {
      glare[i] = 1;
      glareCount++;
    }
  }
  const meanCb = sumCb / count;
  const meanCr = sumCr / count;
  const meanY = sumY / count;
  return {
    meanCb,
    meanCr,
    chromaSpread: Math.sqrt(Math.max(0, sumCb2 / count - meanCb * meanCb + sumCr2 / count - meanCr * meanCr)),
    saturation: sumSat / count,
    redShare: sumRed / count,
    meanY,
    varY: Math.max(0, sumY2 / count - meanY * meanY),
    glare,
    glareCount,
  };
}

/** Glare pixels whose four neighbours are glare too. */
function clusteredGlare(glare: Uint8Array): number {
  const n = FACE_N;
  let clustered = 0;
  for (let y = 1; y < n - 1; y++) {
    for (let x = 1; x < n - 1; x++) {
      const i = y * n + x;
      if (glare[i] && glare[i - 1] && glare[i + 1] && glare[i - n] && glare[i + n]) clustered++;
    }
  }
  return clustered;
}

/** Variance and kurtosis of the 4-neighbour Laplacian over the interior. */
function laplacianMoments(grey: Float32Array): { variance: number; kurtosis: number } {
  const n = FACE_N;
  const laps = new Float64Array((n - 2) * (n - 2));
  let lapSum = 0;
  let inner = 0;
  for (let y = 1; y < n - 1; y++) {
    for (let x = 1; x < n - 1; x++) {
      const i = y * n + x;
      const lap = grey[i - 1] + grey[i + 1] + grey[i - n] + grey[i + n] - 4 * grey[i];
      laps[inner++] = lap;
      lapSum += lap;
    }
  }
  const lapMean = lapSum / inner;
  let lapSum2 = 0;
  let lapSum4 = 0;
  for (let k = 0; k < inner; k++) {
    const d = (laps[k] - lapMean) ** 2;
    lapSum2 += d;
    lapSum4 += d * d;
  }
  const variance = lapSum2 / inner;
  return { variance, kurtosis: variance > 0 ? lapSum4 / inner / (variance * variance) : 0 };
}

/** Mean absolute difference between each interior pixel and its 3x3 mean. */
function meanLocalDeviation(grey: Float32Array): number {
  const n = FACE_N;
  let localSum = 0;
  for (let y = 1; y < n - 1; y++) {
    for (let x = 1; x < n - 1; x++) {
      const i = y * n + x;
      const box9 =
        grey[i - n - 1] +
        grey[i - n] +
        grey[i - n + 1] +
        grey[i - 1] +
        grey[i] +
        grey[i + 1] +
        grey[i + n - 1] +
        grey[i + n] +
        grey[i + n + 1];
      localSum += Math.abs(grey[i] - box9 / 9);
    }
  }
  return localSum / ((n - 2) * (n - 2));
}

function lumaHistogram(grey: Float32Array): Uint32Array {
  const histogram = new Uint32Array(256);
  for (let i = 0; i < grey.length; i++) histogram[Math.min(255, Math.max(0, Math.round(grey[i])))]++;
  return histogram;
}

/** The wanted face statistics on a FACE_N x FACE_N crop of the inner face box. */
export function computeFaceStats(face: Planes, wants: CueWanted = EVERY_CUE): Record<string, number> {
  const count = FACE_N * FACE_N;
  const grey = toGrey(face);
  const sums = once(() => pixelSums(face, grey));
  const laplacian = once(() => laplacianMoments(grey));
  const histogram = once(() => lumaHistogram(grey));
  return wantedCues(wants, {
    glare_frac: () => sums().glareCount / count,
    glare_cluster: () => (sums().glareCount ? clusteredGlare(sums().glare) / sums().glareCount : 0),
    lap_var: () => Math.log10((laplacian().variance + 1e-6) / (sums().varY + 1)),
    lap_kurtosis: () => Math.log10(Math.max(1e-6, laplacian().kurtosis)),
    chroma_spread: () => sums().chromaSpread,
    saturation: () => sums().saturation,
    skin_chroma_dist: () => Math.hypot(sums().meanCb - 102, sums().meanCr - 153),
    dynamic_range: () => (percentile(histogram(), count, 0.98) - percentile(histogram(), count, 0.02)) / 255,
    local_contrast: () => meanLocalDeviation(grey) / (sums().meanY + 1),
    black_lift: () => percentile(histogram(), count, 0.02) / (percentile(histogram(), count, 0.5) + 1),
    red_share: () => sums().redShare,
  });
}
