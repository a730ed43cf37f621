// Quitting waits for the kiosk service to close: its engine stops its model helper threads before their threads
// end (a thread ended inside onnxruntime aborts the process: src/node/engine/split-batch-layout.ts).
import type { App } from 'electron';

/**
 * The longest a quit waits for the close (a sync request in flight, a store to flush). Past it the app quits anyway:
 * a kiosk that cannot be quit is worse than an unfinished close (the queue is in SQLite and syncs at the next start).
 */
export const QUIT_CLOSE_LIMIT_MS = 10_000;

/** On the first quit: prevent it, run `close` (once, for at most `limitMs`), then quit for real; later quits pass through. */
export function quitAfterClose(app: Pick<App, 'on' | 'quit'>, close: () => Promise<void>, limitMs = QUIT_CLOSE_LIMIT_MS): void {
  let closing: Promise<void> | undefined;
  let closed = false;
  app.on('before-quit', (event) => {
    if (closed) return;
    event.preventDefault();
    if (closing) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, limitMs)));
    closing = Promise.race([close().catch(() => undefined), limit]).finally(() => {
      clearTimeout(timer);
      closed = true;
      app.quit();
    });
  });
}
