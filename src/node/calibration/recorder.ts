// Pilot capture on the kiosk: staff arm it with a label and the filmed person's consent; the next session's frames,
// per-frame analysis, flash timing and result are kept in memory and sealed into a capture pack when it finishes.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KeyObject } from 'node:crypto';
import type { FrameAnalysis } from '../../shared/analysis';
import { CodedError } from '../../shared/errors';
import type { LivenessResult } from '../../shared/result';
import type { LivenessConfig } from '../../shared/config';
import type { SessionPlan } from '../../liveness/types';
import { CONSENT_VERSION } from '../../shared/ipc-contract';
import { MAX_PACK_FRAMES, newPackId, sealPack, type CameraLockRecord, type CaptureLabel, type PackManifest } from './pack';

export interface PilotArm {
  label: CaptureLabel;
  subjectRef: string;
}

export interface PilotRecorderOptions {
  /** Folder the sealed packs are written to (0700). */
  dir: string;
  /** The calibration team's X25519 public key. */
  recipient: KeyObject;
  siteId: string;
  kioskId?: string | null;
  now?: () => number;
}

interface Recording {
  arm: PilotArm & { confirmedAt: string };
  sessionId: string;
  plan: SessionPlan;
  config: LivenessConfig;
  modelVersions: Record<string, string>;
  flashStartMs: number | null;
  camera: CameraLockRecord | null;
  frames: PackManifest['frames'][number][];
  jpegs: Uint8Array[];
  overflow: boolean;
}

export interface PilotStatus {
  enabled: true;
  armed: CaptureLabel | null;
  recording: boolean;
  packsWritten: number;
  lastPack: string | null;
}

export class PilotRecorder {
  private armed: (PilotArm & { confirmedAt: string }) | null = null;
  private recording: Recording | null = null;
  private packsWritten = 0;
  private lastPack: string | null = null;
  private readonly now: () => number;

  constructor(private readonly options: PilotRecorderOptions) {
    this.now = options.now ?? Date.now;
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  }

  /** Staff confirmed the label and the filmed person's consent: the next session is recorded. */
  arm(arm: PilotArm): void {
    this.armed = { ...arm, confirmedAt: new Date(this.now()).toISOString() };
  }

  disarm(): void {
    this.armed = null;
    this.recording = null;
  }

  status(): PilotStatus {
    return {
      enabled: true,
      armed: this.armed?.label ?? this.recording?.arm.label ?? null,
      recording: this.recording !== null,
      packsWritten: this.packsWritten,
      lastPack: this.lastPack,
    };
  }

  /** A session started: record it when armed (one session per arming). */
  sessionStarted(sessionId: string, plan: SessionPlan, config: LivenessConfig, modelVersions: Record<string, string>): void {
    if (!this.armed) return;
    this.recording = {
      arm: this.armed,
      sessionId,
      plan,
      config,
      modelVersions,
      flashStartMs: null,
      camera: null,
      frames: [],
      jpegs: [],
      overflow: false,
    };
    this.armed = null;
  }

  frame(sessionId: string, timestampMs: number, jpeg: Uint8Array, analysis: FrameAnalysis): void {
    const rec = this.recording;
    if (!rec || rec.sessionId !== sessionId) return;
    if (rec.frames.length >= MAX_PACK_FRAMES) {
      rec.overflow = true;
      return;
    }
    rec.frames.push({
      index: rec.frames.length,
      timestamp_ms: timestampMs,
      received_at_ms: this.now(),
      jpeg_offset: 0,
      jpeg_length: jpeg.byteLength,
      analysis,
    });
    rec.jpegs.push(jpeg.slice());
  }

  flashStarted(sessionId: string, timestampMs: number): void {
    if (this.recording?.sessionId === sessionId) this.recording.flashStartMs = timestampMs;
  }

  camera(sessionId: string, camera: CameraLockRecord): void {
    if (this.recording?.sessionId === sessionId) this.recording.camera = camera;
  }

  /** A retry starts a new attempt (new order, new flash): the pack keeps one attempt, the one finished next. */
  retried(sessionId: string, plan: SessionPlan): void {
    const rec = this.recording;
    if (!rec || rec.sessionId !== sessionId) return;
    rec.plan = plan;
    rec.frames = [];
    rec.jpegs = [];
    rec.flashStartMs = null;
  }

  /** The session ended without a decision: nothing is kept. */
  abandoned(sessionId: string): void {
    if (this.recording?.sessionId === sessionId) this.recording = null;
  }

  /**
   * Seal the finished attempt into a pack; returns its path (null when this session was not recorded). Each attempt
   * is one pack; when a retry may follow (`final` false) the recording goes on for the next attempt.
   */
  finished(sessionId: string, result: LivenessResult, final = true): string | null {
    const rec = this.recording;
    if (!rec || rec.sessionId !== sessionId) return null;
    this.recording = final ? null : { ...rec, frames: [], jpegs: [], flashStartMs: null, camera: null };
    if (rec.frames.length === 0) throw new CodedError('CONFLICT', 'The pilot session recorded no frame; nothing was sealed.');
    const createdAt = new Date(this.now()).toISOString();
    const packId = newPackId();
    const sealed = sealPack(
      {
        format: 'liveness-capture-pack',
        version: 1,
        pack_id: packId,
        site_id: this.options.siteId,
        kiosk_id: this.options.kioskId ?? null,
        created_at: createdAt,
        label: rec.arm.label,
        subject_ref: rec.arm.subjectRef,
        consent: { calibration_recording: true, kiosk_consent_version: CONSENT_VERSION, confirmed_at: rec.arm.confirmedAt },
        session: {
          session_id: sessionId,
          mode: rec.config.liveness_mode,
          threshold: rec.config.liveness_threshold,
          challenges: [...rec.plan.challenges],
          challenge_timeout_s: rec.config.challenge_timeout_s,
          flash_sequence: rec.plan.flash ?? null,
          flash_start_ms: rec.flashStartMs,
          status: result.status,
          result,
        },
        camera: rec.camera,
        model_versions: rec.modelVersions,
        frames: rec.frames,
      },
      rec.jpegs,
      this.options.recipient,
    );
    const file = path.join(this.options.dir, `${createdAt.replace(/[:.]/g, '-')}-${rec.arm.label}-${packId.slice(0, 8)}.lcp`);
    // Written whole then renamed: a crash never leaves half a pack that looks complete.
    writeFileSync(`${file}.part`, sealed, { mode: 0o600 });
    renameSync(`${file}.part`, file);
    this.packsWritten += 1;
    this.lastPack = path.basename(file);
    return file;
  }
}
