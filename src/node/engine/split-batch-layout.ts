// The shared memory between a SplitBatchSession and its helper thread: control words, the items' inputs and their
// outputs. An item goes Ready -> Thread or Caller (whoever claims it first) -> Done or Failed.
//
// A thread must never be terminated while it is inside onnxruntime: the binding then throws a C++ exception it
// cannot hand to JavaScript, and the whole process aborts. So every owner stops a helper first (stop flag, then
// wait until its busy flag clears; stopHelperSync / stopHelper) and terminates it only after that.
import type { PipelineLoadOptions } from './sessions';
import type { PipelineModel } from './pipeline';

export const ItemState = { Empty: 0, Ready: 1, Thread: 2, Caller: 3, Done: 4, Failed: 5 } as const;

/** A counter the caller bumps to wake the thread. */
export const CONTROL_WAKE = 0;
/** Set: the thread takes no more items and leaves. */
export const CONTROL_STOP = 1;
/** Set by the thread while it may be inside the model (from before its claim until after the item is written). */
export const CONTROL_BUSY = 2;
/** Test hook: set, the thread exits as soon as it has claimed an item, as a crash in the model would. */
export const CONTROL_EXIT_ON_CLAIM = 3;
export const itemStateIndex = (item: number): number => 4 + item;

/** How long an owner waits for a helper to leave the model before it terminates the thread anyway. */
export const HELPER_STOP_TIMEOUT_MS = 2000;

export interface SplitBatchThreadData {
  model: PipelineModel;
  load: Pick<PipelineLoadOptions, 'modelsDir' | 'intraOpNumThreads'>;
  maxItems: number;
  /** One item's input dims (the model's input without its batch axis) and their product. */
  itemDims: number[];
  itemInputSize: number;
  outputNames: string[];
  /** One item's length in each output (the output's dims without the batch axis, multiplied). */
  itemOutputSizes: number[];
  control: SharedArrayBuffer;
  input: SharedArrayBuffer;
  outputs: SharedArrayBuffer[];
}

function requestStop(control: Int32Array): void {
  Atomics.store(control, CONTROL_STOP, 1);
  Atomics.add(control, CONTROL_WAKE, 1);
  Atomics.notify(control, CONTROL_WAKE);
}

/** Stops a helper and blocks until it is out of the model (or the timeout): for exit paths that cannot wait. */
export function stopHelperSync(controlBuffer: SharedArrayBuffer, timeoutMs = HELPER_STOP_TIMEOUT_MS): void {
  const control = new Int32Array(controlBuffer);
  requestStop(control);
  const until = Date.now() + timeoutMs;
  while (Atomics.load(control, CONTROL_BUSY) === 1 && Date.now() < until) Atomics.wait(control, CONTROL_BUSY, 1, until - Date.now());
}

/** Stops a helper and resolves once it is out of the model (or the timeout), without blocking the event loop. */
export async function stopHelper(controlBuffer: SharedArrayBuffer, timeoutMs = HELPER_STOP_TIMEOUT_MS): Promise<void> {
  const control = new Int32Array(controlBuffer);
  requestStop(control);
  const until = Date.now() + timeoutMs;
  while (Atomics.load(control, CONTROL_BUSY) === 1 && Date.now() < until) {
    const wait = waitAsync(control, CONTROL_BUSY, 1, until - Date.now());
    if (wait.async) await wait.value;
  }
}

/** Atomics.waitAsync (Node 16+; TypeScript types it from lib es2024 only). */
type WaitAsync = (
  array: Int32Array,
  index: number,
  value: number,
  timeoutMs?: number,
) => { async: boolean; value: Promise<string> | string };
export const waitAsync: WaitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;
