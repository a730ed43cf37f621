// Camera trust, the pure part: which cameras are known virtual sources (by the label the browser gives and, on Linux,
// by the V4L2 driver), Chromium's fake capture device, and whether an opened camera is the one the kiosk pinned.
// Used by the renderer (before it shows the preview) and by the kiosk service (which has the last word).
import { z } from 'zod';

/** Why a camera was refused; the renderer shows a translated sentence per reason. */
export const CAMERA_REFUSALS = ['VIRTUAL_CAMERA', 'FAKE_CAMERA', 'NOT_PINNED_CAMERA', 'PINNED_CAMERA_MISSING'] as const;
export type CameraRefusal = (typeof CAMERA_REFUSALS)[number];

export interface VirtualCameraEntry {
  /** Short stable id, recorded with a refusal. */
  id: string;
  /** The product, for the README and staff. */
  product: string;
  /** Matched against the device label the browser reports (and the V4L2 card name on Linux). */
  label: RegExp;
  /** Linux V4L2 driver names (sysfs `device/driver`) of this product. */
  drivers?: readonly string[];
}

/**
 * Known virtual cameras. A label can be renamed by whoever installs the software (v4l2loopback's card_label, OBS'
 * device name), so on Linux the driver is checked too; elsewhere the label is what the browser gives.
 */
export const VIRTUAL_CAMERA_DENYLIST: readonly VirtualCameraEntry[] = [
  {
    id: 'obs',
    product: 'OBS Virtual Camera (and the older obs-virtualcam plugin "OBS-Camera")',
    label: /\bobs[\s-]*(virtual[\s-]*cam(era)?|cam(era)?)\b/i,
  },
  {
    id: 'v4l2loopback',
    product: 'v4l2loopback (Linux; default name "Dummy video device")',
    label: /dummy video device|v4l2[\s_-]*loopback/i,
    drivers: ['v4l2loopback'],
  },
  {
    id: 'droidcam',
    product: 'DroidCam (a phone as a webcam; its Linux module is a v4l2loopback fork)',
    label: /droid\s*cam/i,
    drivers: ['v4l2loopback_dc'],
  },
  { id: 'akvcam', product: 'akvcam / Webcamoid virtual camera (Linux)', label: /akvcam|webcamoid/i, drivers: ['akvcam'] },
  {
    id: 'vivid',
    product: "the Linux kernel's virtual video test drivers (vivid, vimc)",
    label: /^(vivid|vimc)\b/i,
    drivers: ['vivid', 'vimc'],
  },
  { id: 'manycam', product: 'ManyCam', label: /many\s*cam/i },
  { id: 'snap-camera', product: 'Snap Camera', label: /snap\s*camera/i },
  { id: 'xsplit', product: 'XSplit VCam / XSplit Broadcaster', label: /xsplit/i },
  { id: 'camtwist', product: 'CamTwist (macOS)', label: /cam\s*twist/i },
  { id: 'e2esoft-vcam', product: 'e2eSoft VCam', label: /e2e\s*soft|\bvcam\b/i },
  { id: 'logi-capture', product: 'Logi Capture virtual camera', label: /logi(tech)?\s*capture/i },
  { id: 'nvidia-broadcast', product: 'NVIDIA Broadcast camera', label: /nvidia\s*broadcast/i },
  { id: 'streamlabs', product: 'Streamlabs virtual camera', label: /streamlabs/i },
  { id: 'splitcam', product: 'SplitCam', label: /split\s*cam/i },
  { id: 'youcam', product: 'CyberLink YouCam', label: /\byoucam\b/i },
  { id: 'altercam', product: 'AlterCam', label: /alter\s*cam/i },
  { id: 'mmhmm', product: 'mmhmm', label: /\bmmhmm\b/i },
  { id: 'camo', product: 'Reincubate Camo', label: /^camo\b/i },
  { id: 'epoccam', product: 'EpocCam', label: /epoc\s*cam/i },
  { id: 'ivcam', product: 'iVCam', label: /\bivcam\b/i },
  { id: 'unity-capture', product: 'Unity Video Capture', label: /unity\s*video\s*capture/i },
  { id: 'generic-virtual', product: 'anything that calls itself a virtual camera', label: /virtual\s*(web)?cam(era)?/i },
];

/**
 * Chromium's fake capture device, refused in production mode: "fake_device_0" (--use-fake-device-for-media-stream),
 * or the file's path when it plays a file (--use-file-for-fake-video-capture=clip.y4m or .mjpeg).
 */
export const CHROMIUM_FAKE_DEVICE_LABEL = /^fake_device_\d+$|\.(y4m|mjpe?g)$/i;

export interface CameraIdentity {
  deviceId: string;
  label: string;
  groupId?: string;
  /** Linux: the V4L2 driver of the device behind this label (from sysfs), when found. */
  driver?: string | null;
}

export type CameraVerdict = { allowed: true } | { allowed: false; reason: CameraRefusal; match: string | null };

/** A known virtual camera by driver first (names can be changed), then by label; null when none matches. */
export function virtualCameraMatch(camera: Pick<CameraIdentity, 'label' | 'driver'>): VirtualCameraEntry | null {
  const driver = camera.driver?.toLowerCase();
  if (driver) {
    const byDriver = VIRTUAL_CAMERA_DENYLIST.find((entry) => entry.drivers?.includes(driver));
    if (byDriver) return byDriver;
  }
  return VIRTUAL_CAMERA_DENYLIST.find((entry) => entry.label.test(camera.label)) ?? null;
}

export const usbIdentitySchema = z.object({
  vendorId: z.string().regex(/^[0-9a-f]{4}$/),
  productId: z.string().regex(/^[0-9a-f]{4}$/),
  serial: z.string().max(128).nullable(),
});
export type UsbIdentity = z.infer<typeof usbIdentitySchema>;

export const pinnedCameraSchema = z.object({
  deviceId: z.string().min(1).max(256),
  label: z.string().max(256),
  /** The browser's groupId (one physical device's video and audio share it); absent when pinned at provisioning. */
  groupId: z.string().max(256).optional(),
  /** USB vendor:product (and serial) where the OS reports it (older state files). */
  usbId: z.string().max(128).optional(),
  /** USB identity read from the OS at pinning (Linux sysfs); null where the OS gives none. */
  usb: usbIdentitySchema.nullable().optional(),
  /** Linux V4L2 driver at pinning (e.g. uvcvideo). */
  driver: z.string().max(64).nullable().optional(),
  pinnedAt: z.string().max(64).optional(),
});
export type PinnedCamera = z.infer<typeof pinnedCameraSchema>;

/**
 * Whether the opened camera may be used: never a known virtual camera, never Chromium's fake device in production,
 * and, once the kiosk has a pinned camera, only that one (same deviceId and label, and same groupId when both know it).
 */
export function judgeCamera(camera: CameraIdentity, pinned: PinnedCamera | null, options: { production: boolean }): CameraVerdict {
  const virtual = virtualCameraMatch(camera);
  if (virtual) return { allowed: false, reason: 'VIRTUAL_CAMERA', match: virtual.id };
  if (CHROMIUM_FAKE_DEVICE_LABEL.test(camera.label)) {
    return options.production ? { allowed: false, reason: 'FAKE_CAMERA', match: 'chromium-fake-device' } : { allowed: true };
  }
  if (!pinned) return { allowed: true };
  const sameGroup = !pinned.groupId || !camera.groupId || pinned.groupId === camera.groupId;
  if (pinned.deviceId !== camera.deviceId || pinned.label !== camera.label || !sameGroup) {
    return { allowed: false, reason: 'NOT_PINNED_CAMERA', match: null };
  }
  return { allowed: true };
}

// --- wire shapes of the kiosk's camera channels (src/shared/ipc-contract.ts) ---------------------------------------

export const openedCameraSchema = z
  .object({ deviceId: z.string().min(1).max(256), label: z.string().max(256), groupId: z.string().max(256).default('') })
  .strict();

export const cameraCheckSchema = z.object({
  allowed: z.boolean(),
  reason: z.enum(CAMERA_REFUSALS).nullable(),
  /** The denylist entry (or chromium-fake-device) that matched, for staff and logs. */
  match: z.string().nullable(),
});
export type CameraCheck = z.infer<typeof cameraCheckSchema>;

export const cameraStatusSchema = z.object({
  /** The pinned camera the renderer must open (null: none pinned yet; staff pin one in the staff panel). */
  pinned: z.object({ deviceId: z.string(), label: z.string(), groupId: z.string().optional() }).nullable(),
  /** Production mode refuses Chromium's fake capture device (off only by CLI flag or the settings file). */
  production: z.boolean(),
});
export type CameraStatus = z.infer<typeof cameraStatusSchema>;
