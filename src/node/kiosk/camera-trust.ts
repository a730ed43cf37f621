// The kiosk's last word on its camera: the pinned device (state file), the denylist of virtual cameras checked against
// the browser's label and, on Linux, the driver and USB ids the OS reports (sysfs), and production mode, in which
// Chromium's fake capture device is refused. Production is the default for a provisioned kiosk; only the CLI
// (--test-seed, --allow-fake-camera) or the state file's `cameraTrust.allowFakeCamera` turn it off, never the screen.
import { CodedError } from '../../shared/errors';
import { judgeCamera, type CameraCheck, type CameraIdentity, type CameraStatus, type PinnedCamera } from '../../shared/camera-trust';
import { findV4l2Device, readV4l2Devices, SYSFS_VIDEO4LINUX, type V4l2Device } from './camera-sysfs';
import type { SettingsFile } from './settings-file';

export interface CameraTrustOptions {
  settings: SettingsFile;
  /** Accept Chromium's fake device (a test host, or a developer's --allow-fake-camera). */
  allowFakeCamera?: boolean;
  /** Where video4linux devices are listed (tests pass a fake tree). */
  sysfsRoot?: string;
  now?: () => number;
}

type OpenedCamera = Required<Pick<CameraIdentity, 'deviceId' | 'label' | 'groupId'>>;

export class CameraTrust {
  constructor(private readonly options: CameraTrustOptions) {}

  /** Production mode: a provisioned kiosk not started for tests or development. */
  production(): boolean {
    const state = this.options.settings.read();
    return state.staffPinHash !== null && !this.options.allowFakeCamera && !state.cameraTrust?.allowFakeCamera;
  }

  status(): CameraStatus {
    const pinned = this.options.settings.read().camera;
    return {
      pinned: pinned ? { deviceId: pinned.deviceId, label: pinned.label, ...(pinned.groupId ? { groupId: pinned.groupId } : {}) } : null,
      production: this.production(),
    };
  }

  /** Whether the camera the renderer opened may be used; on Linux the OS's driver and USB ids are checked too. */
  check(camera: OpenedCamera): CameraCheck {
    const pinned = this.options.settings.read().camera;
    const device = this.osDevice(camera.label);
    const verdict = judgeCamera({ ...camera, driver: device?.driver ?? null }, pinned, { production: this.production() });
    if (!verdict.allowed) return { allowed: false, reason: verdict.reason, match: verdict.match };
    // The same label on another physical camera: the serial the OS reported at pinning must still be there.
    if (
      pinned?.usb &&
      device?.usb &&
      (device.usb.vendorId !== pinned.usb.vendorId ||
        device.usb.productId !== pinned.usb.productId ||
        device.usb.serial !== pinned.usb.serial)
    ) {
      return { allowed: false, reason: 'NOT_PINNED_CAMERA', match: 'usb-identity' };
    }
    return { allowed: true, reason: null, match: null };
  }

  /** Staff pin the camera the renderer has open (the staff token is checked by the caller). */
  pin(camera: OpenedCamera): PinnedCamera {
    const device = this.osDevice(camera.label);
    const verdict = judgeCamera({ ...camera, driver: device?.driver ?? null }, null, { production: this.production() });
    if (!verdict.allowed)
      throw new CodedError('FORBIDDEN', `This camera cannot be pinned (${verdict.reason}${verdict.match ? `: ${verdict.match}` : ''}).`);
    const pinned: PinnedCamera = {
      deviceId: camera.deviceId,
      label: camera.label,
      ...(camera.groupId ? { groupId: camera.groupId } : {}),
      usb: device?.usb ?? null,
      driver: device?.driver ?? null,
      pinnedAt: new Date((this.options.now ?? Date.now)()).toISOString(),
    };
    const state = this.options.settings.read();
    this.options.settings.write({ ...state, camera: pinned });
    return pinned;
  }

  private osDevice(label: string): V4l2Device | null {
    return findV4l2Device(readV4l2Devices(this.options.sysfsRoot ?? SYSFS_VIDEO4LINUX), label);
  }
}
