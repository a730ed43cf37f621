// Figures users plan with, each measured in a fresh child process so that resident memory means something:
// model load time, RSS of the engine and of the kiosk service over 1,000 frames, the time from a session's last
// frame to its decision, and the CPU share of live guidance at 30 fps.
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { CodedError } from '../../shared/errors';
import { CONSENT_VERSION, type SessionOutcome } from '../../shared/ipc-contract';
import type { LivenessMode } from '../../shared/catalogue';
import { createEngine } from '../../node/engine/index';
import { composeKiosk } from '../../node/kiosk/compose';
import { runBenchChild } from './child';
import { benchFrames, toJpeg } from './frames';

export type ProbeName = 'engine' | 'kiosk';

/** Distinct fixture frames a probe cycles through (decoding 1,000 distinct frames would dominate the probe). */
const PROBE_DISTINCT_FRAMES = 60;
/** Frames of one kiosk session in the memory run (2 s of camera at 15 fps, the renderer's rate). */
const FRAMES_PER_SESSION = 30;
/** RSS is sampled every this many frames. */
const RSS_SAMPLE_EVERY = 100;
/** Samples before this frame count are warm-up (JIT, allocator arenas, first tracks) and not held to the growth check. */
const RSS_WARMUP_FRAMES = 200;
/**
 * RSS may drift this much (MB) between the end of warm-up and the last sample without counting as growth: glibc
 * arenas and V8's heap settle in steps of a few MB; a leak of one 640x480 frame per frame would add 700 MB.
 */
export const RSS_GROWTH_TOLERANCE_MB = 24;
/** Live guidance: frames offered at the camera's 30 fps for this long. */
const GUIDANCE_FPS = 30;
const GUIDANCE_SECONDS = 10;

const MODES: readonly LivenessMode[] = ['passive', 'active', 'flash', 'action_flash'];

interface RssSample {
  frames: number;
  rss_mb: number;
}

export interface MemoryFigure {
  rss_mb_after_load: number;
  rss_mb_after_warmup: number;
  rss_mb_at_end: number;
  frames: number;
  growth_mb: number;
  grows: boolean;
  tolerance_mb: number;
  samples: RssSample[];
}

export interface EngineProbeResult {
  /** createEngine(): worker start plus opening every verified ONNX session. */
  engine_start_ms: number;
  /** Of which opening the sessions inside the worker. */
  model_load_ms: number;
  memory: MemoryFigure;
}

interface Stat {
  median_ms: number;
  p95_ms: number;
  n: number;
}

export interface KioskProbeResult {
  kiosk_start_ms: number;
  memory: MemoryFigure;
  /** From the submission of a session's last frame to its session.result event, per mode. */
  decision_latency: Record<string, Stat>;
  guidance: {
    fps_offered: number;
    seconds: number;
    frames_offered: number;
    frames_analysed: number;
    frames_dropped_busy: number;
    /** CPU time of the whole kiosk process (all threads) over wall time, in % of one core. */
    cpu_percent_of_one_core: number;
    /** The same in % of all the machine's cores. */
    cpu_percent_of_machine: number;
    /** CPU time per analysed frame: unlike the share, it does not depend on how many frames a busy machine let through. */
    cpu_ms_per_analysed_frame: number;
    /** What analysing every frame at 30 fps would take, in % of one core (cpu_ms_per_analysed_frame x 30 / 10). */
    cpu_percent_of_one_core_for_every_frame: number;
    cores: number;
  };
}

const rssMb = (): number => Math.round((process.memoryUsage.rss() / 1048576) * 10) / 10;

function percentileStat(values: number[]): Stat {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
  const round = (v: number) => Math.round(v * 100) / 100;
  return { median_ms: round(at(50)), p95_ms: round(at(95)), n: values.length };
}

function memoryFigure(afterLoad: number, samples: RssSample[]): MemoryFigure {
  const warm = samples.find((s) => s.frames >= RSS_WARMUP_FRAMES) ?? samples[0];
  const end = samples[samples.length - 1];
  const growth = Math.round((end.rss_mb - warm.rss_mb) * 10) / 10;
  return {
    rss_mb_after_load: afterLoad,
    rss_mb_after_warmup: warm.rss_mb,
    rss_mb_at_end: end.rss_mb,
    frames: end.frames,
    growth_mb: growth,
    grows: growth > RSS_GROWTH_TOLERANCE_MB,
    tolerance_mb: RSS_GROWTH_TOLERANCE_MB,
    samples,
  };
}

/** The engine alone (what Electron main or the server holds): load, then `total` camera frames in sessions. */
export async function engineProbe(total: number): Promise<EngineProbeResult> {
  const frames = await benchFrames(PROBE_DISTINCT_FRAMES);
  const started = performance.now();
  const engine = await createEngine();
  const startMs = performance.now() - started;
  try {
    const afterLoad = rssMb();
    const samples: RssSample[] = [];
    for (let i = 0; i < total; i++) {
      const f = frames[i % frames.length];
      await engine.analyzeFrame(f, { trackId: `probe-${Math.floor(i / FRAMES_PER_SESSION)}`, timestampMs: (i % FRAMES_PER_SESSION) * 66 });
      if ((i + 1) % RSS_SAMPLE_EVERY === 0) samples.push({ frames: i + 1, rss_mb: rssMb() });
    }
    return { engine_start_ms: Math.round(startMs), model_load_ms: Math.round(engine.modelLoadMs), memory: memoryFigure(afterLoad, samples) };
  } finally {
    await engine.close();
  }
}

/** The kiosk service as `liveness kiosk` runs it (engine, decision core, encrypted SQLite queue), fed JPEG frames. */
export async function kioskProbe(total: number): Promise<KioskProbeResult> {
  const jpegs = await Promise.all((await benchFrames(PROBE_DISTINCT_FRAMES)).map(toJpeg));
  const dir = await mkdtemp(path.join(tmpdir(), 'liveness-bench-'));
  const started = performance.now();
  const kiosk = await composeKiosk({ dbPath: path.join(dir, 'kiosk.sqlite') }, { allowTestSeed: true });
  const startMs = performance.now() - started;
  const service = kiosk.service;
  const ctx = { clientId: 'bench' };
  let resultAt = 0;
  service.onEvent((_client, event) => {
    if (event === 'session.result') resultAt = performance.now();
  });
  const call = async <T>(channel: string, payload: unknown): Promise<T> => {
    const answer = await service.handle(channel, payload, ctx);
    if (!answer.ok) throw new CodedError(answer.error.code, `${channel}: ${answer.error.message}`);
    return answer.value as T;
  };
  const startSession = async (mode: LivenessMode, timeoutS?: number): Promise<string> => {
    const plan = await call<{ sessionId: string }>('session.start', { config: { liveness_mode: mode, ...(timeoutS ? { challenge_timeout_s: timeoutS } : {}) } });
    await call('session.consent', { sessionId: plan.sessionId, accepted: true, consentVersion: CONSENT_VERSION });
    if (mode === 'flash' || mode === 'action_flash') await call('session.flashStart', { sessionId: plan.sessionId, timestampMs: 0 });
    return plan.sessionId;
  };
  try {
    const afterLoad = rssMb();
    const samples: RssSample[] = [];
    const latency: Record<string, number[]> = Object.fromEntries(MODES.map((m) => [m, []]));
    let sent = 0;
    for (let s = 0; sent < total; s++) {
      const mode = MODES[s % MODES.length];
      const sessionId = await startSession(mode);
      let lastSubmit = 0;
      let done = false;
      resultAt = 0;
      for (let k = 0; k < FRAMES_PER_SESSION && sent < total && !done; k++) {
        lastSubmit = performance.now();
        const update = await call<{ done: boolean }>('session.frame', { sessionId, timestampMs: k * 66, jpeg: jpegs[sent % jpegs.length] });
        done = update.done;
        sent++;
        if (sent % RSS_SAMPLE_EVERY === 0) samples.push({ frames: sent, rss_mb: rssMb() });
      }
      if (!done) await call<SessionOutcome>('session.finish', { sessionId });
      if (resultAt > 0) latency[mode].push(resultAt - lastSubmit);
    }
    const guidance = await guidanceShare(await startSession('active', 30), jpegs, call);
    return {
      kiosk_start_ms: Math.round(startMs),
      memory: memoryFigure(afterLoad, samples),
      decision_latency: Object.fromEntries(MODES.map((m) => [m, percentileStat(latency[m])])),
      guidance,
    };
  } finally {
    await kiosk.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Offers frames at 30 fps for a few seconds (a frame that finds the engine busy is dropped, as the renderer does). */
async function guidanceShare(
  sessionId: string,
  jpegs: Uint8Array[],
  call: <T>(channel: string, payload: unknown) => Promise<T>,
): Promise<KioskProbeResult['guidance']> {
  const offered = GUIDANCE_FPS * GUIDANCE_SECONDS;
  let analysed = 0;
  let dropped = 0;
  let inFlight: Promise<unknown> | null = null;
  const cpuBefore = process.cpuUsage();
  const wallStart = performance.now();
  for (let i = 0; i < offered; i++) {
    const due = wallStart + (i * 1000) / GUIDANCE_FPS;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (inFlight) {
      dropped++;
      continue;
    }
    inFlight = call('session.frame', { sessionId, timestampMs: Math.round((i * 1000) / GUIDANCE_FPS), jpeg: jpegs[i % jpegs.length] })
      .then(() => analysed++)
      .finally(() => (inFlight = null));
  }
  await inFlight;
  const wallMs = performance.now() - wallStart;
  const cpu = process.cpuUsage(cpuBefore);
  const share = ((cpu.user + cpu.system) / 1000 / wallMs) * 100;
  const cores = availableParallelism();
  return {
    fps_offered: GUIDANCE_FPS,
    seconds: GUIDANCE_SECONDS,
    frames_offered: offered,
    frames_analysed: analysed,
    frames_dropped_busy: dropped,
    cpu_percent_of_one_core: Math.round(share * 10) / 10,
    cpu_percent_of_machine: Math.round((share / cores) * 10) / 10,
    cpu_ms_per_analysed_frame: analysed ? Math.round(((cpu.user + cpu.system) / 1000 / analysed) * 100) / 100 : 0,
    cpu_percent_of_one_core_for_every_frame: analysed ? Math.round((((cpu.user + cpu.system) / 1000 / analysed) * GUIDANCE_FPS) / 10) : 0,
    cores,
  };
}

/** Runs one probe in a fresh `liveness bench --probe` child and returns its JSON (the last line it prints). */
export async function runProbeChild(which: ProbeName, frames: number): Promise<EngineProbeResult | KioskProbeResult> {
  const { code, stdout } = await runBenchChild(['--probe', which, '--probe-frames', String(frames)], 'inherit');
  const last = stdout.trim().split('\n').pop() ?? '';
  if (code !== 0 || !last.startsWith('{')) throw new CodedError('ENGINE_FAILURE', `The ${which} probe failed (exit code ${code}).`);
  return JSON.parse(last) as EngineProbeResult | KioskProbeResult;
}
