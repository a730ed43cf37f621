// Quitting waits for the kiosk service to close: its engine stops its model helper threads before their threads
// end (a thread ended inside onnxruntime aborts the process: src/node/engine/split-batch-layout.ts).
import type { App } from 'electron';

/** On the first quit: prevent it, run `close` (once), then quit for real; later quits pass straight through. */
export function quitAfterClose(app: Pick<App, 'on' | 'quit'>, close: () => Promise<void>): void {
  let closing: Promise<void> | undefined;
  let closed = false;
  app.on('before-quit', (event) => {
    if (closed) return;
    event.preventDefault();
    closing ??= close()
      .catch(() => undefined)
      .finally(() => {
        closed = true;
        app.quit();
      });
  });
}
