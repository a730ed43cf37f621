// A model whose batch items are independent (the iris model's two eye crops), run by a helper thread and by the
// caller together. start() marks the items ready and the thread takes them one by one at once; the caller does
// other work (the face's PAD) and, in finish(), runs whatever the thread has not started yet itself, then waits
// for the rest. Neither core idles while a whole item is left (README "Speed"). onnxruntime-node runs a model on
// the calling thread, so this is how a model runs beside the frame's other work.
import { Worker } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { CodedError } from '../../shared/errors';
import { manifestEntry } from './model-store';
import type { ModelSession, PipelineModel, StartedRun } from './pipeline';
import { openSession, type PipelineLoadOptions } from './sessions';
import type { SplitBatchThreadMessage } from './split-batch-thread';
import {
  CONTROL_EXIT_ON_CLAIM,
  CONTROL_WAKE,
  ItemState,
  itemStateIndex,
  stopHelper,
  stopHelperSync,
  waitAsync,
  type SplitBatchThreadData,
} from './split-batch-layout';
import { threadEntry } from './thread-entry';

export interface SplitBatchOptions {
  model: PipelineModel;
  /** Most items one run may hold (the iris model: 2 eyes). */
  maxItems: number;
  load?: Pick<PipelineLoadOptions, 'modelsDir' | 'intraOpNumThreads'>;
}

interface Lane {
  worker: Worker;
  /** Rejects when this lane's thread exits (a crash, or close()). */
  died: Promise<never>;
}

/** Every open session of this thread, so that an exit path can stop their helpers first (stopAllHelpersSync). */
const openSessions = new Set<SplitBatchSession>();

/** The control words of this thread's helpers, for an owner that may have to terminate this thread. */
export function helperControls(): SharedArrayBuffer[] {
  return [...openSessions].map((session) => session.control);
}

/** Stops every helper of this thread and blocks until none is inside a model: call before this thread dies. */
export function stopAllHelpersSync(): void {
  for (const session of openSessions) stopHelperSync(session.control);
}

const product = (dims: readonly (number | string)[]): number => dims.reduce<number>((a, d) => a * Number(d), 1);

export class SplitBatchSession implements ModelSession {
  private lane!: Lane;
  private busy = false;
  /** Shared with the helper thread for the session's life; a replacement thread gets the same memory, reset. */
  readonly control: SharedArrayBuffer;
  private readonly controlWords: Int32Array;
  private readonly input: Float32Array;
  private readonly outputs: Float32Array[];
  private readonly inputBuffer: SharedArrayBuffer;
  private readonly outputBuffers: SharedArrayBuffer[];
  private closed = false;
  readonly outputNames: readonly string[];
  private readonly itemDims: number[];
  private readonly itemInputSize: number;
  private readonly itemOutputSizes: number[];
  private readonly outputDims: number[][];
  /** Items the helper thread ran, and items the caller ran itself (since open). */
  readonly itemsRun = { thread: 0, caller: 0 };
  /** One item for the caller's own session (onnxruntime refuses tensors over shared memory, so items are copied). */
  private readonly callerItem: Float32Array;
  private readonly callerTensor: ort.Tensor;

  private constructor(
    private readonly options: SplitBatchOptions,
    /** The caller's own session, for the items it takes itself. */
    private readonly inline: ort.InferenceSession,
  ) {
    const entry = manifestEntry(options.model, options.load?.modelsDir);
    this.itemDims = entry.input.shape.slice(1).map(Number);
    this.itemInputSize = product(this.itemDims);
    this.outputNames = inline.outputNames;
    this.outputDims = this.outputNames.map((name) => entry.outputs[name].shape.slice(1).map(Number));
    this.itemOutputSizes = this.outputDims.map(product);
    this.control = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * itemStateIndex(options.maxItems));
    this.controlWords = new Int32Array(this.control);
    this.inputBuffer = new SharedArrayBuffer(Float32Array.BYTES_PER_ELEMENT * this.itemInputSize * options.maxItems);
    this.input = new Float32Array(this.inputBuffer);
    this.outputBuffers = this.itemOutputSizes.map(
      (size) => new SharedArrayBuffer(Float32Array.BYTES_PER_ELEMENT * size * options.maxItems),
    );
    this.outputs = this.outputBuffers.map((buffer) => new Float32Array(buffer));
    this.callerItem = new Float32Array(this.itemInputSize);
    this.callerTensor = new ort.Tensor('float32', this.callerItem, [1, ...this.itemDims]);
  }

  /** Opens the caller's session and starts the helper thread; resolves once the thread's session is open too. */
  static async open(options: SplitBatchOptions): Promise<SplitBatchSession> {
    const session = new SplitBatchSession(options, await openSession(options.model, options.load));
    await session.startLane();
    openSessions.add(session);
    return session;
  }

  private startLane(): Promise<void> {
    // The previous thread, if any, has exited: nothing else writes this memory now.
    this.controlWords.fill(ItemState.Empty);
    const data: SplitBatchThreadData = {
      model: this.options.model,
      load: this.options.load ?? {},
      maxItems: this.options.maxItems,
      itemDims: this.itemDims,
      itemInputSize: this.itemInputSize,
      outputNames: [...this.outputNames],
      itemOutputSizes: this.itemOutputSizes,
      control: this.control,
      input: this.inputBuffer,
      outputs: this.outputBuffers,
    };
    const spec = threadEntry(import.meta.url, 'split-batch-thread');
    const worker = new Worker(spec.entry, { eval: spec.eval, workerData: data });
    let opened = false;
    let markDead!: (err: Error) => void;
    const died = new Promise<never>((_, reject) => (markDead = reject));
    died.catch(() => undefined);
    const lane: Lane = { worker, died };
    this.lane = lane;
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (message: SplitBatchThreadMessage) => {
        if (message.type === 'ready') {
          opened = true;
          // An idle thread never holds the process (start() refs it while a batch runs).
          worker.unref();
          resolve();
        } else if (!opened) reject(new CodedError(message.error.code as never, message.error.message));
      });
      worker.once('exit', (code) => {
        const failure = new CodedError('ENGINE_FAILURE', `The ${this.options.model} model thread stopped (exit code ${code}).`);
        markDead(failure);
        reject(failure);
        // A thread that had opened its model is replaced (one that could not would fail again at once).
        if (opened && !this.closed && this.lane === lane) this.startLane().catch(() => undefined);
      });
      worker.on('error', () => {
        // The 'exit' that always follows reports the crash; nothing of the error (it may hold data) is logged.
      });
    });
  }

  /**
   * Marks `items` items of `input` (batch-major, as the model's input) ready: the helper thread starts on them at
   * once. The returned run's finish() runs what the thread has not taken and resolves with the whole batch's outputs.
   */
  start(feeds: Record<string, ort.Tensor>): StartedRun {
    const tensor = Object.values(feeds)[0];
    const items = tensor.dims[0];
    if (this.closed) throw new CodedError('ENGINE_FAILURE', `The ${this.options.model} model session has been closed.`);
    if (this.busy) throw new CodedError('ENGINE_FAILURE', `The ${this.options.model} model session is already running a batch.`);
    if (items < 1 || items > this.options.maxItems) {
      throw new CodedError('INVALID_ARGUMENT', `A batch of ${items} items does not fit (1-${this.options.maxItems}).`);
    }
    this.busy = true;
    const lane = this.lane;
    // A pending Atomics.waitAsync does not keep Node's event loop alive: the thread's handle does, while a batch runs.
    lane.worker.ref();
    this.input.set((tensor.data as Float32Array).subarray(0, items * this.itemInputSize));
    for (let k = 0; k < items; k++) Atomics.store(this.controlWords, itemStateIndex(k), ItemState.Ready);
    Atomics.add(this.controlWords, CONTROL_WAKE, 1);
    Atomics.notify(this.controlWords, CONTROL_WAKE);
    return { finish: () => this.finish(lane, items) };
  }

  private async finish(lane: Lane, items: number): Promise<Record<string, ort.Tensor>> {
    const outputs = this.itemOutputSizes.map((size) => new Float32Array(size * items));
    try {
      const byCaller: boolean[] = [];
      for (let k = 0; k < items; k++) {
        const state = itemStateIndex(k);
        byCaller[k] = Atomics.compareExchange(this.controlWords, state, ItemState.Ready, ItemState.Caller) === ItemState.Ready;
        if (!byCaller[k]) continue;
        this.callerItem.set(this.input.subarray(k * this.itemInputSize, (k + 1) * this.itemInputSize));
        const out = await this.inline.run({ [this.inline.inputNames[0]]: this.callerTensor });
        this.outputNames.forEach((name, j) => outputs[j].set(out[name].data as Float32Array, k * this.itemOutputSizes[j]));
        this.itemsRun.caller++;
      }
      for (let k = 0; k < items; k++) {
        if (byCaller[k]) continue;
        const state = itemStateIndex(k);
        // Waits without blocking the event loop, so a dead thread's exit still reaches `died`.
        while (Atomics.load(this.controlWords, state) === ItemState.Thread) {
          const wait = waitAsync(this.controlWords, state, ItemState.Thread);
          if (wait.async) await Promise.race([wait.value, lane.died]);
        }
        if (Atomics.load(this.controlWords, state) !== ItemState.Done) {
          throw new CodedError('ENGINE_FAILURE', `The ${this.options.model} model failed on its thread.`);
        }
        this.outputNames.forEach((_, j) => {
          const size = this.itemOutputSizes[j];
          outputs[j].set(this.outputs[j].subarray(k * size, (k + 1) * size), k * size);
        });
        this.itemsRun.thread++;
      }
      for (let k = 0; k < items; k++) Atomics.store(this.controlWords, itemStateIndex(k), ItemState.Empty);
      return Object.fromEntries(
        this.outputNames.map((name, j) => [name, new ort.Tensor('float32', outputs[j], [items, ...this.outputDims[j]])]),
      );
    } catch (err) {
      // The thread may still be on an item of this batch: it is stopped, ended and replaced by a fresh one.
      if (this.lane === lane && !this.closed) void this.endThread(lane);
      throw err;
    } finally {
      lane.worker.unref();
      this.busy = false;
    }
  }

  run(feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
    try {
      return this.start(feeds).finish();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Stops the lane's thread (out of the model first: see split-batch-layout.ts) and terminates it. */
  private async endThread(lane: Lane): Promise<void> {
    lane.worker.ref();
    await stopHelper(this.control);
    await lane.worker.terminate();
  }

  /** Test hook: the helper thread exits as soon as it claims its next item, as a crash in the model would. */
  crashThreadOnNextItemForTest(): void {
    Atomics.store(this.controlWords, CONTROL_EXIT_ON_CLAIM, 1);
  }

  async close(): Promise<void> {
    this.closed = true;
    openSessions.delete(this);
    await this.endThread(this.lane);
  }
}
