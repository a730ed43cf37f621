// Camera trust, pure part and the Linux sysfs reader: the virtual-camera denylist (by label and by V4L2 driver),
// Chromium's fake device in production, the pin, and what sysfs says about a camera (over a fake tree in a temp dir:
// this container cannot load v4l2loopback, see the README's "Camera trust").
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VIRTUAL_CAMERA_DENYLIST, judgeCamera, virtualCameraMatch, type PinnedCamera } from '../../src/shared/camera-trust';
import {
  DEFAULT_STREAM_TUNING,
  STREAM_THUMB_HEIGHT,
  STREAM_THUMB_WIDTH,
  StreamIntegrity,
  quietBlocksChange,
} from '../../src/liveness/stream-integrity';
import { findV4l2Device, readV4l2Devices } from '../../src/node/kiosk/camera-sysfs';

/** Labels as the browsers show these products (Chromium on Linux adds " (vid:pid)" for USB devices). */
const VIRTUAL_LABELS: [string, string][] = [
  ['OBS Virtual Camera', 'obs'],
  ['OBS-Camera', 'obs'],
  ['Dummy video device (0x0000)', 'v4l2loopback'],
  ['ManyCam Virtual Webcam', 'manycam'],
  ['Snap Camera', 'snap-camera'],
  ['XSplit VCam', 'xsplit'],
  ['CamTwist', 'camtwist'],
  ['e2eSoft VCam', 'e2esoft-vcam'],
  ['Logi Capture', 'logi-capture'],
  ['NVIDIA Broadcast', 'nvidia-broadcast'],
  ['Streamlabs OBS Virtual Webcam', 'streamlabs'],
  ['DroidCam Source 3', 'droidcam'],
  ['Unity Video Capture', 'unity-capture'],
  ['My Virtual Camera', 'generic-virtual'],
];
const REAL_LABELS = [
  'Integrated Camera: Integrated C (04f2:b604)',
  'HD Pro Webcam C920 (046d:082d)',
  'FaceTime HD Camera',
  'USB2.0 HD UVC WebCam: USB2.0 HD (13d3:56dd)',
  'Logitech BRIO (046d:085e)',
];

describe('virtual-camera denylist', () => {
  it.each(VIRTUAL_LABELS)('refuses %s by its label (%s)', (label, id) => {
    expect(virtualCameraMatch({ label })?.id).toBe(id);
    expect(judgeCamera({ deviceId: 'd', label }, null, { production: false })).toEqual({
      allowed: false,
      reason: 'VIRTUAL_CAMERA',
      match: id,
    });
  });

  it.each(REAL_LABELS)('lets the physical camera %s through', (label) => {
    expect(virtualCameraMatch({ label })).toBeNull();
    expect(judgeCamera({ deviceId: 'd', label }, null, { production: true })).toEqual({ allowed: true });
  });

  it('refuses a renamed v4l2loopback device by its Linux driver, whatever its label says', () => {
    expect(virtualCameraMatch({ label: 'Integrated Camera', driver: 'v4l2loopback' })?.id).toBe('v4l2loopback');
    expect(virtualCameraMatch({ label: 'Integrated Camera', driver: 'uvcvideo' })).toBeNull();
  });

  it('every entry documents its product and matches at least one of the labels above', () => {
    for (const entry of VIRTUAL_CAMERA_DENYLIST) {
      expect(entry.product.length).toBeGreaterThan(3);
      const named = VIRTUAL_LABELS.some(([, id]) => id === entry.id) || entry.drivers?.length;
      expect(
        named || ['akvcam', 'vivid', 'splitcam', 'youcam', 'altercam', 'mmhmm', 'camo', 'epoccam', 'ivcam'].includes(entry.id),
        entry.id,
      ).toBeTruthy();
    }
  });
});

describe("Chromium's fake capture device", () => {
  it('is refused in production mode and accepted in test mode', () => {
    expect(judgeCamera({ deviceId: 'x', label: 'fake_device_0' }, null, { production: true })).toEqual({
      allowed: false,
      reason: 'FAKE_CAMERA',
      match: 'chromium-fake-device',
    });
    expect(judgeCamera({ deviceId: 'x', label: 'fake_device_0' }, null, { production: false })).toEqual({ allowed: true });
  });
  it('playing a file (--use-file-for-fake-video-capture), its label is the file path: refused in production too', () => {
    for (const label of ['/tmp/liveness-e2e-clips/face.y4m', 'C:\\clips\\replay.mjpeg']) {
      expect(judgeCamera({ deviceId: 'x', label }, null, { production: true })).toMatchObject({ allowed: false, reason: 'FAKE_CAMERA' });
    }
  });
});

describe('the pinned camera', () => {
  const pinned: PinnedCamera = { deviceId: 'abc', label: 'HD Pro Webcam C920 (046d:082d)', groupId: 'g1' };
  it('only the pinned device (same id, label and group) is accepted', () => {
    expect(judgeCamera({ deviceId: 'abc', label: pinned.label, groupId: 'g1' }, pinned, { production: true })).toEqual({ allowed: true });
    for (const other of [
      { deviceId: 'other', label: pinned.label, groupId: 'g1' },
      { deviceId: 'abc', label: 'Another camera', groupId: 'g1' },
      { deviceId: 'abc', label: pinned.label, groupId: 'g2' },
    ]) {
      expect(judgeCamera(other, pinned, { production: true })).toEqual({ allowed: false, reason: 'NOT_PINNED_CAMERA', match: null });
    }
  });
  it('a virtual camera is refused as virtual even when it claims the pinned id', () => {
    expect(judgeCamera({ deviceId: 'abc', label: 'OBS Virtual Camera' }, pinned, { production: true })).toMatchObject({
      reason: 'VIRTUAL_CAMERA',
    });
  });
});

describe('Linux sysfs (a fake /sys/class/video4linux tree)', () => {
  const root = mkdtempSync(join(tmpdir(), 'liveness-sysfs-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  // A UVC webcam: video0 -> the USB interface 1-6:1.0 (driver uvcvideo), whose parent USB device has the ids.
  const devices = join(root, 'devices');
  const usbDevice = join(devices, 'pci0000:00', 'usb1', '1-6');
  const usbInterface = join(usbDevice, '1-6:1.0');
  mkdirSync(usbInterface, { recursive: true });
  mkdirSync(join(devices, 'drivers', 'uvcvideo'), { recursive: true });
  symlinkSync(join(devices, 'drivers', 'uvcvideo'), join(usbInterface, 'driver'));
  writeFileSync(join(usbDevice, 'idVendor'), '046d\n');
  writeFileSync(join(usbDevice, 'idProduct'), '082d\n');
  writeFileSync(join(usbDevice, 'serial'), 'A1B2C3D4\n');
  // A v4l2loopback device renamed to look like a webcam: a platform device bound to the v4l2loopback driver.
  const loopback = join(devices, 'platform', 'v4l2loopback.0');
  mkdirSync(loopback, { recursive: true });
  mkdirSync(join(devices, 'drivers', 'v4l2loopback'), { recursive: true });
  symlinkSync(join(devices, 'drivers', 'v4l2loopback'), join(loopback, 'driver'));
  const classDir = join(root, 'class', 'video4linux');
  for (const [node, name, target] of [
    ['video0', 'HD Pro Webcam C920', usbInterface],
    ['video1', 'HD Pro Webcam C920', usbInterface],
    ['video2', 'Integrated Camera', loopback],
  ] as const) {
    mkdirSync(join(classDir, node), { recursive: true });
    writeFileSync(join(classDir, node, 'name'), `${name}\n`);
    symlinkSync(target, join(classDir, node, 'device'));
  }

  it('reads the card name, the driver and the USB vendor, product and serial', () => {
    const listed = readV4l2Devices(classDir);
    expect(listed.map((d) => d.node)).toEqual(['video0', 'video1', 'video2']);
    expect(listed[0]).toEqual({
      node: 'video0',
      name: 'HD Pro Webcam C920',
      driver: 'uvcvideo',
      usb: { vendorId: '046d', productId: '082d', serial: 'A1B2C3D4' },
    });
    expect(listed[2]).toEqual({ node: 'video2', name: 'Integrated Camera', driver: 'v4l2loopback', usb: null });
  });

  it("finds the device behind Chromium's label, and the renamed loopback is refused by its driver", () => {
    const listed = readV4l2Devices(classDir);
    expect(findV4l2Device(listed, 'HD Pro Webcam C920 (046d:082d)')?.usb?.serial).toBe('A1B2C3D4');
    expect(findV4l2Device(listed, 'HD Pro Webcam C920 (1234:5678)')).toBeNull();
    const loop = findV4l2Device(listed, 'Integrated Camera');
    expect(judgeCamera({ deviceId: 'd', label: 'Integrated Camera', driver: loop?.driver }, null, { production: true })).toMatchObject({
      allowed: false,
      reason: 'VIRTUAL_CAMERA',
      match: 'v4l2loopback',
    });
  });

  it('a system without video4linux (macOS, Windows, a container) lists nothing', () => {
    expect(readV4l2Devices(join(root, 'missing'))).toEqual([]);
  });
});

describe('noise floor', () => {
  it('leaves clipped blocks out: a dark frame crushed to black carries no noise on any camera', () => {
    const size = STREAM_THUMB_WIDTH * STREAM_THUMB_HEIGHT;
    const a = new Uint8Array(size);
    const b = new Uint8Array(size);
    // Left half crushed to 0 in both frames; right half mid-grey with one grey level of noise.
    for (let i = 0; i < size; i++) {
      const right = i % STREAM_THUMB_WIDTH >= STREAM_THUMB_WIDTH / 2;
      a[i] = right ? 100 : 0;
      b[i] = right ? 100 + (i % 2) : 0;
    }
    expect(quietBlocksChange(a, b)).toBeCloseTo(0.5, 5);
    expect(quietBlocksChange(new Uint8Array(size), new Uint8Array(size))).toBeNull();
  });
});

describe('an attempt that shows only one or two pictures', () => {
  const size = STREAM_THUMB_WIDTH * STREAM_THUMB_HEIGHT;
  const picture = (shift: number) => Uint8Array.from({ length: size }, (_, i) => (i * 37 + shift) % 256);
  const feed = (pictureOf: (frame: number) => Uint8Array, frames: number) => {
    const stream = new StreamIntegrity();
    for (let i = 0; i < frames; i++) stream.push({ luma: pictureOf(i), width: 640, height: 480, timestampMs: i * 66 + (i % 3) });
    return stream.verdict();
  };
  const minFrames = DEFAULT_STREAM_TUNING.stillMinFrames;

  it('one picture is frozen even when the attempt ends before a frozen run would be long enough (a quick passive decision)', () => {
    const verdict = feed(() => picture(0), minFrames);
    expect(verdict.longestFrozenMs).toBeLessThan(DEFAULT_STREAM_TUNING.frozenMs);
    expect(verdict.suspected).toContain('frozen');
  });

  it('two pictures (Chromium playing a one-frame clip shows two) are caught before any loop count or frozen run', () => {
    const verdict = feed((i) => picture(i < minFrames / 2 ? 0 : 1), minFrames);
    expect(verdict.repeatedFrames).toBeLessThan(DEFAULT_STREAM_TUNING.loopMinRepeats);
    expect(verdict.longestFrozenMs).toBeLessThan(DEFAULT_STREAM_TUNING.frozenMs);
    expect(verdict.suspected).toContain('looped');
  });

  it('is not judged on fewer frames, and a stream where every frame is new (sensor noise) is clean', () => {
    expect(feed(() => picture(0), minFrames - 1).suspected).toEqual([]);
    expect(feed((i) => picture(i * 3), minFrames * 2).suspected).toEqual([]);
  });
});
