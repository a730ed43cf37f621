// Open the kiosk's camera, and only a trusted one: the pinned device when the kiosk has one, then the kiosk checks
// what was really opened (virtual-camera denylist, Chromium's fake device in production, the pin) before any frame
// is shown or sent. A refused camera is stopped at once and the refusal carries its code for the screen.
import type { CameraRefusal } from '../../shared/camera-trust';
import type { KioskApi } from '../../shared/ipc-contract';

export class CameraRefusedError extends Error {
  constructor(readonly reason: CameraRefusal) {
    super(`The camera was refused (${reason}).`);
    this.name = 'CameraRefusedError';
  }
}

export interface OpenedCameraIdentity {
  deviceId: string;
  label: string;
  groupId: string;
}

/** What the browser says about the device behind a live track. */
export function identityOf(track: MediaStreamTrack): OpenedCameraIdentity {
  const settings = track.getSettings();
  return { deviceId: settings.deviceId ?? '', label: track.label, groupId: settings.groupId ?? '' };
}

/**
 * getUserMedia limited to the pinned camera (else the staff-chosen one, else the default), then the kiosk's check.
 * Throws CameraRefusedError for a refused or missing pinned camera, and the browser's error when no camera opens.
 */
export async function openTrustedCamera(api: KioskApi, chosenDeviceId: string | null, video: MediaTrackConstraints): Promise<MediaStream> {
  const status = await api.cameraStatus();
  if (!status.ok) throw new Error(status.error.message);
  const pinned = status.value.pinned;
  const deviceId = pinned?.deviceId ?? chosenDeviceId;
  let media: MediaStream;
  try {
    media = await navigator.mediaDevices.getUserMedia({
      video: deviceId ? { ...video, deviceId: { exact: deviceId } } : video,
      audio: false,
    });
  } catch (err) {
    const name = (err as { name?: string })?.name;
    if (pinned && (name === 'OverconstrainedError' || name === 'NotFoundError')) throw new CameraRefusedError('PINNED_CAMERA_MISSING');
    throw err;
  }
  const track = media.getVideoTracks()[0];
  const check = track ? await api.checkCamera(identityOf(track)) : null;
  if (!check?.ok || !check.value.allowed) {
    media.getTracks().forEach((t) => t.stop());
    if (check?.ok && check.value.reason) throw new CameraRefusedError(check.value.reason);
    throw new Error(check && !check.ok ? check.error.message : 'The camera gave no video track.');
  }
  return media;
}
