// createEngine(): the Engine over a pool of inference worker threads (one by default). An encoded still travels to
// the worker as it is (tens of KB) and is decoded there once; raw frames travel as transferred buffers.
import { Worker } from 'node:worker_threads';
import type { FrameAnalysis } from '../../shared/analysis';
import { CodedError } from '../../shared/errors';
import type { AnalyzeOptions, Engine, FaceDescriber, LargestFaceDescription, RgbFrame } from './api';
import { FaceEmbedder } from './face-embedding';
import { decodeStill, validateStill } from './decode';
import { modelVersions } from './model-store';
import type { PipelineConfig } from './pipeline';
import type { PipelineLoadOptions } from './sessions';
import { stopHelper } from './split-batch-layout';
import { threadEntry } from './thread-entry';
import { wallClockMs } from './wall-clock';
import type { WorkerRequest, WorkerResponse } from './worker';

export type { AnalyzeOptions, Engine, FaceDescriber, LargestFaceDescription, RgbFrame } from './api';

export interface EngineOptions {
  /** Inference worker threads (default 1). Each holds its own sessions. */
  workers?: number;
  /** ORT threads per operator in each worker (default 1: the models are small, cores are shared). */
  intraOpNumThreads?: number;
  /** Each worker shares the iris model's eyes with a helper thread (default: with TUNABLES.irisThreadMinCores cores). */
  irisThread?: boolean;
  modelsDir?: string;
  /** Default limit for analyzeImage (AnalyzeOptions.maxBytes overrides it). */
  maxImageBytes?: number;
  pipeline?: Partial<PipelineConfig>;
  /** A frame that takes longer than this is treated as a hung worker: it is restarted (default 30 s). */
  frameTimeoutMs?: number;
}

/** An Engine whose workers can be inspected and crashed on purpose (tests). */
export interface WorkerEngine extends Engine, FaceDescriber {
  /** Number of times a worker died and was replaced. */
  readonly restarts: number;
  /** Milliseconds the slowest worker took to open its verified model sessions at start. */
  readonly modelLoadMs: number;
  /** Model helper threads the workers run (the iris model's: one per worker with `irisThread`), as they reported. */
  readonly helperThreads: number;
  /**
   * Test hook: make worker `index` throw an uncaught error, as a crash would (`whileHelperBusy`: while one of its
   * model helper threads is inside its model). Resolves when it has died.
   */
  crashWorkerForTest(index?: number, options?: { whileHelperBusy?: boolean }): Promise<void>;
}

interface Pending {
  resolve: (analysis: FrameAnalysis) => void;
  reject: (err: Error) => void;
}

class WorkerSlot {
  worker!: Worker;
  ready!: Promise<void>;
  loadMs = 0;
  /** The worker's model helper threads: stopped (out of their models) before the worker is terminated. */
  private helpers: SharedArrayBuffer[] = [];
  readonly pending = new Map<number, Pending>();
  private dead = false;
  private deathWaiters: (() => void)[] = [];

  constructor(
    private readonly loadOptions: PipelineLoadOptions,
    private readonly onDeath: () => void,
  ) {
    this.spawn();
  }

  get busy(): number {
    return this.pending.size;
  }

  get helperCount(): number {
    return this.helpers.length;
  }

  private spawn(): void {
    // From the sources a bootstrap registers tsx inside the thread; a compiled build loads worker.js.
    const spec = threadEntry(import.meta.url, 'worker');
    this.dead = false;
    const worker = new Worker(spec.entry, { eval: spec.eval, workerData: this.loadOptions });
    this.worker = worker;
    this.ready = new Promise<void>((resolve, reject) => {
      const onMessage = (message: WorkerResponse): void => {
        if (message.type === 'ready') {
          this.loadMs = message.loadMs;
          this.helpers = message.helpers;
          resolve();
        } else if (message.type === 'init-error') reject(new CodedError(message.error.code as never, message.error.message));
        else this.settle(message);
      };
      worker.on('message', onMessage);
      worker.once('exit', (code) => {
        reject(new CodedError('ENGINE_FAILURE', `The inference worker exited (code ${code}) before its models loaded.`));
        this.handleExit(worker, code);
      });
      worker.on('error', () => {
        // The 'exit' that always follows reports the crash; nothing of the error (it may hold data) is logged.
      });
    });
    this.ready.catch(() => {});
  }

  private settle(message: WorkerResponse): void {
    if (message.type !== 'result' && message.type !== 'error') return;
    const entry = this.pending.get(message.id);
    if (!entry) return;
    this.pending.delete(message.id);
    if (message.type === 'result') {
      message.analysis.timings.from_worker = Math.round((wallClockMs() - message.finishedAt) * 1000) / 1000;
      entry.resolve(message.analysis);
    } else entry.reject(new CodedError(message.error.code as never, message.error.message));
  }

  private handleExit(worker: Worker, code: number): void {
    if (worker !== this.worker) return;
    this.dead = true;
    const failure = new CodedError(
      'ENGINE_FAILURE',
      `The inference worker stopped unexpectedly (exit code ${code}); it has been restarted, please retry.`,
    );
    for (const entry of this.pending.values()) entry.reject(failure);
    this.pending.clear();
    for (const wake of this.deathWaiters.splice(0)) wake();
    if (!this.closing) {
      this.onDeath();
      this.spawn();
    }
  }

  closing = false;

  waitForDeath(): Promise<void> {
    return new Promise((resolve) => (this.dead ? resolve() : this.deathWaiters.push(resolve)));
  }

  post(request: WorkerRequest, transfer: ArrayBuffer[], pending?: Pending): void {
    if (pending) this.pending.set(request.id, pending);
    this.worker.postMessage(request, transfer);
  }

  /** Terminates the worker once its helper threads are out of their models (terminating one inside aborts the process). */
  async terminate(): Promise<void> {
    await Promise.all(this.helpers.map((control) => stopHelper(control)));
    await this.worker.terminate();
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.terminate();
  }
}

/** An ArrayBuffer holding exactly the frame's pixels, safe to transfer (never a shared pool slab). */
function ownedBuffer(data: Uint8Array, mayTransfer: boolean): ArrayBuffer {
  const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer;
  if (mayTransfer && whole) return data.buffer;
  // new Uint8Array(view) always copies (a Buffer's slice() would return a view of a shared pool slab).
  return new Uint8Array(data).buffer;
}

function hashString(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) >>> 0;
  return h;
}

export async function createEngine(options: EngineOptions = {}): Promise<WorkerEngine> {
  const workers = Math.max(1, Math.floor(options.workers ?? 1));
  const loadOptions: PipelineLoadOptions = {
    intraOpNumThreads: options.intraOpNumThreads ?? 1,
    modelsDir: options.modelsDir,
    config: options.pipeline,
    irisThread: options.irisThread,
  };
  const versions = modelVersions(options.modelsDir);
  let restarts = 0;
  let nextId = 1;
  let closed = false;
  const slots = Array.from({ length: workers }, () => new WorkerSlot(loadOptions, () => restarts++));
  try {
    await Promise.all(slots.map((slot) => slot.ready));
  } catch (err) {
    await Promise.all(slots.map((slot) => slot.close()));
    throw err;
  }

  /** The worker for a request: a capture session always goes to the same one (it holds the session's tracked faces). */
  function pickSlot(analyzeOptions: AnalyzeOptions): WorkerSlot {
    if (closed) throw new CodedError('ENGINE_FAILURE', 'The engine has been closed.');
    if (analyzeOptions.trackId !== undefined) return slots[hashString(analyzeOptions.trackId) % slots.length];
    return slots.reduce((best, s) => (s.busy < best.busy ? s : best));
  }

  /** Posts one request to a worker and settles with its analysis; a worker that hangs is killed and replaced. */
  function submit(slot: WorkerSlot, request: WorkerRequest, transfer: ArrayBuffer[]): Promise<FrameAnalysis> {
    const timeoutMs = options.frameTimeoutMs ?? 30_000;
    return new Promise<FrameAnalysis>((resolve, reject) => {
      // A hung worker is killed; its exit handler rejects this frame with ENGINE_FAILURE and starts a new one.
      const watchdog = setTimeout(() => void slot.terminate(), timeoutMs);
      watchdog.unref();
      const settle =
        <T>(fn: (value: T) => void) =>
        (value: T) => {
          clearTimeout(watchdog);
          fn(value);
        };
      slot.post(request, transfer, { resolve: settle(resolve), reject: settle(reject) });
    });
  }

  // The identity model opens on first use: kiosks that never match faces never load it.
  let embedder: Promise<FaceEmbedder> | undefined;
  const openEmbedder = () => {
    embedder ??= FaceEmbedder.open({ modelsDir: options.modelsDir, intraOpNumThreads: options.intraOpNumThreads ?? 1 }).catch((err) => {
      embedder = undefined;
      throw err;
    });
    return embedder;
  };

  const workerOptions = ({ transfer: _transfer, maxBytes: _maxBytes, ...rest }: AnalyzeOptions) => rest;

  async function analyzeFrame(frame: RgbFrame, analyzeOptions: AnalyzeOptions = {}): Promise<FrameAnalysis> {
    if (!(frame.width > 0 && frame.height > 0) || frame.data.length !== frame.width * frame.height * 3) {
      throw new CodedError(
        'INVALID_ARGUMENT',
        `A ${frame.width}x${frame.height} RGB frame needs ${frame.width * frame.height * 3} bytes, not ${frame.data.length}.`,
      );
    }
    const slot = pickSlot(analyzeOptions);
    await slot.ready;
    const buffer = ownedBuffer(frame.data, analyzeOptions.transfer === true);
    const request: WorkerRequest = {
      type: 'frame',
      id: nextId++,
      buffer,
      width: frame.width,
      height: frame.height,
      options: workerOptions(analyzeOptions),
      sentAt: wallClockMs(),
    };
    return submit(slot, request, [buffer]);
  }

  async function analyzeImage(bytes: Uint8Array, analyzeOptions: AnalyzeOptions = {}): Promise<FrameAnalysis> {
    const maxBytes = analyzeOptions.maxBytes ?? options.maxImageBytes;
    // Type and size are checked here, so a PDF or a 50 MB file is refused without waking a worker.
    validateStill(bytes, { maxBytes });
    const slot = pickSlot(analyzeOptions);
    await slot.ready;
    // The encoded bytes are small: a copy keeps the caller's buffer (the kiosk keeps the JPEG as evidence).
    const encoded = ownedBuffer(bytes, false);
    const request: WorkerRequest = {
      type: 'image',
      id: nextId++,
      bytes: encoded,
      maxBytes,
      options: workerOptions(analyzeOptions),
      sentAt: wallClockMs(),
    };
    return submit(slot, request, [encoded]);
  }

  return {
    get restarts() {
      return restarts;
    },
    get modelLoadMs() {
      return Math.max(...slots.map((slot) => slot.loadMs));
    },
    get helperThreads() {
      return slots.reduce((sum, slot) => sum + slot.helperCount, 0);
    },
    analyzeImage,
    analyzeFrame,
    async describeLargestFace(bytes: Uint8Array, analyzeOptions: AnalyzeOptions = {}): Promise<LargestFaceDescription | null> {
      const frame = await decodeStill(bytes, { maxBytes: analyzeOptions.maxBytes ?? options.maxImageBytes });
      const analysis = await analyzeFrame(frame, { ...analyzeOptions, transfer: false });
      const face = analysis.faces[0];
      if (!face) return null;
      const { embedding, age } = await (await openEmbedder()).describe(frame, face.landmarks);
      return { analysis, face, embedding, age };
    },
    modelVersions: () => ({ ...versions }),
    async crashWorkerForTest(index = 0, crashOptions: { whileHelperBusy?: boolean } = {}): Promise<void> {
      const slot = slots[index];
      await slot.ready;
      const died = slot.waitForDeath();
      slot.post({ type: 'crash', id: nextId++, whileHelperBusy: crashOptions.whileHelperBusy }, []);
      await died;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await Promise.all(slots.map((slot) => slot.close()));
      if (embedder) await (await embedder.catch(() => null))?.close();
    },
  };
}
