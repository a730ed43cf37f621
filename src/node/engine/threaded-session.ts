// One model's session on a thread of its own (session-thread.ts), behind the same run() as an ort session: the
// pipeline starts the iris model there and does the face's PAD work while it runs (README "Speed").
import { Worker } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { CodedError } from '../../shared/errors';
import type { ModelSession } from './pipeline';
import type { SessionThreadData, SessionThreadRequest, SessionThreadResponse, WireTensor } from './session-thread';
import { threadEntry } from './thread-entry';

interface Pending {
  resolve: (outputs: Record<string, ort.Tensor>) => void;
  reject: (err: Error) => void;
}

export class ThreadedSession implements ModelSession {
  private worker!: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  /** Set when a replacement thread could not open the model: runs then fail at once instead of waiting forever. */
  private broken?: string;
  outputNames: readonly string[] = [];

  private constructor(private readonly data: SessionThreadData) {}

  /** Starts the thread and resolves once its session is open (rejects with the thread's own error if it cannot). */
  static async open(data: SessionThreadData): Promise<ThreadedSession> {
    const session = new ThreadedSession(data);
    await session.start();
    return session;
  }

  private start(): Promise<void> {
    const spec = threadEntry(import.meta.url, 'session-thread');
    const worker = new Worker(spec.entry, { eval: spec.eval, workerData: this.data });
    this.worker = worker;
    let opened = false;
    const started = new Promise<void>((resolve, reject) => {
      worker.on('message', (message: SessionThreadResponse) => {
        if (message.type === 'ready') {
          opened = true;
          this.outputNames = message.outputNames;
          // From now on an idle thread must not keep the process alive; one with a run in flight does (run()).
          if (this.pending.size === 0) worker.unref();
          resolve();
        } else if (message.type === 'init-error') reject(new CodedError(message.error.code as never, message.error.message));
        else this.settle(message);
      });
      worker.once('exit', (code) => {
        reject(new CodedError('ENGINE_FAILURE', `The ${this.data.model} model thread exited (code ${code}) before its model loaded.`));
        // Only a thread that had opened its model is replaced: one that cannot open it would fail again at once.
        if (opened) this.failAll(worker, code);
        else {
          this.broken = `The ${this.data.model} model thread could not open its model.`;
          this.failPending(this.broken);
        }
      });
      worker.on('error', () => {
        // The 'exit' that always follows reports the crash; nothing of the error (it may hold data) is logged.
      });
    });
    return started;
  }

  run(feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
    if (this.closed || this.broken) {
      return Promise.reject(new CodedError('ENGINE_FAILURE', this.broken ?? `The ${this.data.model} model thread has been closed.`));
    }
    const id = this.nextId++;
    const wire: Record<string, WireTensor> = {};
    // Copied, not transferred: the caller's input buffer is reused for the next frame as soon as this returns.
    for (const [name, tensor] of Object.entries(feeds)) wire[name] = { data: tensor.data as Float32Array, dims: tensor.dims };
    return new Promise((resolve, reject) => {
      this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, feeds: wire } satisfies SessionThreadRequest);
    });
  }

  private settle(message: Extract<SessionThreadResponse, { id: number }>): void {
    const entry = this.pending.get(message.id);
    if (!entry) return;
    this.pending.delete(message.id);
    if (this.pending.size === 0) this.worker.unref();
    if (message.type === 'error') return entry.reject(new CodedError(message.error.code as never, message.error.message));
    const outputs: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(message.outputs)) outputs[name] = new ort.Tensor('float32', t.data, t.dims);
    entry.resolve(outputs);
  }

  /** The thread died: every run in flight fails, and a new thread takes over (runs posted meanwhile wait for it). */
  private failAll(worker: Worker, code: number): void {
    if (worker !== this.worker) return;
    this.failPending(`The ${this.data.model} model thread stopped unexpectedly (exit code ${code}).`);
    if (!this.closed) this.start().catch(() => undefined);
  }

  private failPending(message: string): void {
    const failure = new CodedError('ENGINE_FAILURE', message);
    for (const entry of this.pending.values()) entry.reject(failure);
    this.pending.clear();
  }

  /** Test hook: the thread's exit, as a native crash in the model would end it. */
  async crashForTest(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    await this.worker.terminate();
    await exited;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.worker.terminate();
  }
}
