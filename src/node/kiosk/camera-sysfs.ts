// Linux: what the OS says about each V4L2 camera (sysfs), independent of what the browser claims: the card name, the
// kernel driver behind it (uvcvideo for a USB webcam, v4l2loopback for a virtual one) and the USB vendor, product
// and serial. Other systems have no sysfs; there the list is empty and the browser's label is all the kiosk has.
import { readdirSync, readFileSync, readlinkSync, realpathSync, existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { UsbIdentity } from '../../shared/camera-trust';

export const SYSFS_VIDEO4LINUX = '/sys/class/video4linux';

export interface V4l2Device {
  /** Device node name (video0). */
  node: string;
  /** The V4L2 card name (what Chromium shows as the label, before its " (vid:pid)" suffix). */
  name: string;
  /** The kernel driver bound to the device, or null when sysfs links none (older v4l2loopback). */
  driver: string | null;
  usb: UsbIdentity | null;
}

/** Every video4linux device under `root`; an empty list when the folder is missing (not Linux, or no cameras). */
export function readV4l2Devices(root: string = SYSFS_VIDEO4LINUX): V4l2Device[] {
  let nodes: string[];
  try {
    nodes = readdirSync(root)
      .filter((name) => /^video\d+$/.test(name))
      .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
  } catch {
    return [];
  }
  return nodes.map((node) => {
    const dir = join(root, node);
    return { node, name: readText(join(dir, 'name')) ?? '', driver: driverOf(join(dir, 'device')), usb: usbOf(join(dir, 'device')) };
  });
}

/**
 * The sysfs device behind a browser label: Chromium's Linux label is the card name, plus " (vvvv:pppp)" for a USB
 * camera. A label that names USB ids matches only a device with those ids.
 */
export function findV4l2Device(devices: readonly V4l2Device[], label: string): V4l2Device | null {
  const suffix = /\s\(([0-9a-f]{4}):([0-9a-f]{4})\)$/i.exec(label);
  const card = suffix ? label.slice(0, suffix.index) : label;
  const candidates = devices.filter((device) => device.name.trim() === card.trim());
  if (!suffix) return candidates[0] ?? null;
  const [vendorId, productId] = [suffix[1].toLowerCase(), suffix[2].toLowerCase()];
  return candidates.find((device) => device.usb?.vendorId === vendorId && device.usb.productId === productId) ?? null;
}

function driverOf(deviceLink: string): string | null {
  try {
    return basename(readlinkSync(join(deviceLink, 'driver')));
  } catch {
    return null;
  }
}

/** A UVC camera's sysfs device is its USB interface (1-6:1.0); the ids sit on the USB device, one folder up. */
function usbOf(deviceLink: string): UsbIdentity | null {
  let device: string;
  try {
    device = realpathSync(deviceLink);
  } catch {
    return null;
  }
  for (const dir of [dirname(device), device]) {
    const vendorId = readText(join(dir, 'idVendor'))?.toLowerCase();
    const productId = readText(join(dir, 'idProduct'))?.toLowerCase();
    if (vendorId && productId && /^[0-9a-f]{4}$/.test(vendorId) && /^[0-9a-f]{4}$/.test(productId)) {
      return { vendorId, productId, serial: readText(join(dir, 'serial')) };
    }
  }
  return null;
}

function readText(path: string): string | null {
  try {
    if (!existsSync(path)) return null;
    const text = readFileSync(path, 'utf8').trim();
    return text.length > 0 ? text.slice(0, 128) : null;
  } catch {
    return null;
  }
}
