// Hold the webcam's exposure and white balance still during the colour flash, where the camera allows it.
// Automatic exposure and white balance chase the flash's colour and cancel the very reflection the analysis measures;
// what happened is reported to the kiosk and recorded in pilot capture packs, so calibration can tell the cases apart.
import type { CameraLockState } from '../../shared/capture';

/** Image-capture constraints that lib.dom does not type yet (W3C Media Capture Image). */
interface ImageCaptureCapabilities {
  exposureMode?: string[];
  whiteBalanceMode?: string[];
}
interface ImageCaptureSettings {
  exposureMode?: string;
  whiteBalanceMode?: string;
}

type TrackWithImageCapture = Pick<MediaStreamTrack, 'getSettings' | 'applyConstraints'> & { getCapabilities?: () => unknown };

export const UNLOCKED: CameraLockState = {
  exposureSupported: false,
  exposureLocked: false,
  whiteBalanceSupported: false,
  whiteBalanceLocked: false,
};

/**
 * Switch exposure and white balance to 'manual' (the camera keeps its current values) when the track offers it, then
 * read the settings back: only what the camera confirms counts as locked. Never throws; a camera without these
 * capabilities (most virtual and many cheap cameras) reports unsupported. No unlock is needed: the capture screen
 * stops the track when the attempt ends, and the next attempt opens a new one in automatic mode.
 */
export async function lockForFlash(track: TrackWithImageCapture | null | undefined): Promise<CameraLockState> {
  if (!track || typeof track.getCapabilities !== 'function') return UNLOCKED;
  const capabilities = (track.getCapabilities() ?? {}) as ImageCaptureCapabilities;
  const exposureSupported = Boolean(capabilities.exposureMode?.includes('manual'));
  const whiteBalanceSupported = Boolean(capabilities.whiteBalanceMode?.includes('manual'));
  const wanted: Record<string, string> = {};
  if (exposureSupported) wanted.exposureMode = 'manual';
  if (whiteBalanceSupported) wanted.whiteBalanceMode = 'manual';
  if (Object.keys(wanted).length) {
    try {
      await track.applyConstraints({ advanced: [wanted] });
    } catch {
      // The camera refused: the settings read back below say so.
    }
  }
  const settings = track.getSettings() as ImageCaptureSettings;
  return {
    exposureSupported,
    exposureLocked: exposureSupported && settings.exposureMode === 'manual',
    whiteBalanceSupported,
    whiteBalanceLocked: whiteBalanceSupported && settings.whiteBalanceMode === 'manual',
  };
}
