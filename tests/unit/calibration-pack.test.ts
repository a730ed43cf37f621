// Capture packs: sealed to the calibration key, opened only with it, and any altered byte refuses to open.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generatePackKeyPair, openPack, readPackHeader, readPrivateKey, readPublicKey } from '../../src/node/calibration/pack';
import { PilotRecorder } from '../../src/node/calibration/recorder';
import { calibrate } from '../../src/node/calibration/calibrate';
import { createLivenessSession } from '../../src/liveness/index';
import { parseLivenessConfig } from '../../src/shared/config';
import type { FrameAnalysis } from '../../src/shared/analysis';

const dir = mkdtempSync(path.join(tmpdir(), 'liveness-pack-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const keys = generatePackKeyPair();
const other = generatePackKeyPair();

const noFace = (timestampMs: number): FrameAnalysis => ({ width: 64, height: 48, timestampMs, frameLuminance: 50, faces: [], timings: {} });
const jpeg = (n: number) => new Uint8Array([0xff, 0xd8, 0xff, n, 1, 2, 3, 0xff, 0xd9]);

/** Records one passive session (frames without a face) through the recorder and returns the pack path. */
function recordPack(label: 'genuine' | 'print', subjectRef: string, into = dir): string {
  const recorder = new PilotRecorder({ dir: into, recipient: readPublicKey(keys.publicPem), siteId: 'branch-7' });
  recorder.arm({ label, subjectRef });
  const config = parseLivenessConfig({ liveness_mode: 'passive' });
  const core = createLivenessSession(config, { sessionId: `s-${subjectRef}` });
  recorder.sessionStarted(`s-${subjectRef}`, core.plan, config, { detector: 'test' });
  for (let i = 0; i < 6; i++) {
    const analysis = noFace(i * 100);
    core.pushFrame(analysis);
    recorder.frame(`s-${subjectRef}`, i * 100, jpeg(i), analysis);
  }
  recorder.camera(`s-${subjectRef}`, {
    exposure_supported: false,
    exposure_locked: false,
    white_balance_supported: false,
    white_balance_locked: false,
  });
  return recorder.finished(`s-${subjectRef}`, core.finish())!;
}

describe('capture packs', () => {
  it('round-trips the label, consent, frames with their JPEG bytes and analysis, and the camera lock record', () => {
    const file = recordPack('genuine', 'P001');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const { manifest, jpegs } = openPack(readFileSync(file), readPrivateKey(keys.privatePem));
    expect(manifest).toMatchObject({
      label: 'genuine',
      subject_ref: 'P001',
      site_id: 'branch-7',
      consent: { calibration_recording: true },
    });
    expect(manifest.frames).toHaveLength(6);
    expect(manifest.frames[3].timestamp_ms).toBe(300);
    expect(Array.from(jpegs[3])).toEqual(Array.from(jpeg(3)));
    expect(manifest.camera).toEqual({
      exposure_supported: false,
      exposure_locked: false,
      white_balance_supported: false,
      white_balance_locked: false,
    });
    // Nothing of the face data is readable without the key: the JPEG markers do not appear in the sealed bytes.
    expect(readFileSync(file).includes(Buffer.from([0xff, 0xd8, 0xff, 3]))).toBe(false);
  });

  it('refuses the wrong key, an altered header and an altered body, each with a code', () => {
    const file = recordPack('print', 'P002');
    const bytes = readFileSync(file);
    expect(() => openPack(bytes, readPrivateKey(other.privatePem))).toThrow(expect.objectContaining({ code: 'UNAUTHORIZED' }));
    const { headerEnd } = readPackHeader(bytes);
    const header = Buffer.from(bytes);
    header[headerEnd - 3] ^= 0x01;
    expect(() => openPack(header, readPrivateKey(keys.privatePem))).toThrow(
      expect.objectContaining({ code: expect.stringMatching(/INVALID_PAYLOAD|UNAUTHORIZED/) }),
    );
    const body = Buffer.from(bytes);
    body[headerEnd + 10] ^= 0x01;
    expect(() => openPack(body, readPrivateKey(keys.privatePem))).toThrow(expect.objectContaining({ code: 'INVALID_PAYLOAD' }));
    expect(() => openPack(Buffer.from('%PDF-1.7 not a pack'), readPrivateKey(keys.privatePem))).toThrow(
      expect.objectContaining({ code: 'INVALID_PAYLOAD' }),
    );
  });

  it('an unarmed kiosk records nothing, and arming covers one session only', () => {
    const empty = path.join(dir, 'unarmed');
    const recorder = new PilotRecorder({ dir: empty, recipient: readPublicKey(keys.publicPem), siteId: 'branch-7' });
    const config = parseLivenessConfig({ liveness_mode: 'passive' });
    const core = createLivenessSession(config, { sessionId: 'unarmed' });
    recorder.sessionStarted('unarmed', core.plan, config, {});
    recorder.frame('unarmed', 0, jpeg(0), noFace(0));
    expect(recorder.finished('unarmed', core.finish())).toBeNull();
    expect(readdirSync(empty)).toEqual([]);
  });

  it('calibrate pools packs and counts subjects and attempts, keeping constants it cannot refit', () => {
    const own = path.join(dir, 'pool');
    const files = [
      recordPack('genuine', 'A', own),
      recordPack('genuine', 'A', own),
      recordPack('genuine', 'B', own),
      recordPack('print', 'C', own),
    ];
    const manifests = files.map((f) => openPack(readFileSync(f), readPrivateKey(keys.privatePem)).manifest);
    const report = calibrate(manifests, { threshold: 75 });
    expect(report.packs).toBe(4);
    expect(report.subjects).toBe(3);
    expect(report.attemptsByLabel).toEqual({ genuine: 3, print: 1 });
    expect(report.current.rates.bpcer).toMatchObject({ attempts: 3, subjects: 2 });
    expect(report.current.rates.apcer.print).toMatchObject({ attempts: 1, subjects: 1 });
    expect(report.cameraLock).toEqual({ locked: 0, notLocked: 4, unknown: 0 });
    // Frames without a face give no flash or planar measure: those constants are kept, and say why.
    const flat = report.refit.constants.find((c) => c.name === 'flashVariationFlat')!;
    expect(flat.refit).toBe(false);
    expect(flat.basis).toMatch(/needs bona fide and attack attempts/);
  });
});
