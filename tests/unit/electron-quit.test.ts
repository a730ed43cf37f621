// Electron main's quit with `electron`'s app faked: the first quit is held until the kiosk service has closed (its
// engine stops its model helper threads first), then the app quits for real, once; a failing close still quits, and
// a close that never ends holds the quit for QUIT_CLOSE_LIMIT_MS at most.
// What only a real Electron run proves: that Electron emits before-quit again for the app.quit() made here and
// then exits, on each OS (the fake re-emits it as Electron documents).
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { QUIT_CLOSE_LIMIT_MS, quitAfterClose } from '../../src/main/quit';

class FakeApp extends EventEmitter {
  quits = 0;
  exited = false;
  /** As Electron does: before-quit first; the app exits unless a listener prevented it. */
  quit(): void {
    this.quits++;
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (!prevented) this.exited = true;
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('quitting the kiosk (electron faked)', () => {
  it('holds the first quit until the kiosk service has closed, then quits for real once', async () => {
    const app = new FakeApp();
    let finishClose!: () => void;
    let closes = 0;
    quitAfterClose(app as never, () => {
      closes++;
      return new Promise<void>((resolve) => (finishClose = resolve));
    });
    app.quit();
    app.quit(); // a second Ctrl-Q while closing does not close twice or exit early
    await tick();
    expect(app.exited).toBe(false);
    expect(closes).toBe(1);
    finishClose();
    await tick();
    expect(app.exited).toBe(true);
    expect(app.quits).toBe(3);
  });

  it('quits even when closing the kiosk service fails', async () => {
    const app = new FakeApp();
    quitAfterClose(app as never, () => Promise.reject(new Error('store already closed')));
    app.quit();
    await tick();
    await tick();
    expect(app.exited).toBe(true);
  });

  it('quits after QUIT_CLOSE_LIMIT_MS when closing the kiosk service never ends (a sync request that hangs)', async () => {
    vi.useFakeTimers();
    try {
      const app = new FakeApp();
      quitAfterClose(app as never, () => new Promise<void>(() => undefined));
      app.quit();
      await vi.advanceTimersByTimeAsync(QUIT_CLOSE_LIMIT_MS - 1);
      expect(app.exited).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(app.exited).toBe(true);
      expect(app.quits).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
