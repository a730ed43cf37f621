// The checks Electron's glue makes on the app:// origin (IPC sender, camera permission, navigation, file serving),
// run without Electron. Node's URL.origin is "null" for app://, so these must compare scheme and host instead.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_ORIGIN, appFileFor, originOf } from '../../src/node/host/app-protocol';

const RENDERER = resolve('/opt/kiosk/out/renderer');

describe('app:// origin and files', () => {
  it('recognises our own page, and only it', () => {
    expect(new URL(`${APP_ORIGIN}/index.html`).origin).toBe('null');
    expect(originOf(`${APP_ORIGIN}/index.html`)).toBe(APP_ORIGIN);
    expect(originOf(APP_ORIGIN)).toBe(APP_ORIGIN);
    expect(originOf('http://localhost:5173/src/index.html')).toBe('http://localhost:5173');
    for (const other of [
      'app://kiosk.evil/index.html',
      'app://evil/',
      'https://kiosk/',
      'file:///opt/kiosk/out/renderer/index.html',
      'about:blank',
      'data:text/html,x',
      'null',
      '',
      undefined,
    ]) {
      expect({ other, same: originOf(other) === APP_ORIGIN }).toEqual({ other, same: false });
    }
  });

  it('maps app:// URLs to files inside the built renderer and nothing else', () => {
    expect(appFileFor(RENDERER, `${APP_ORIGIN}/`)).toBe(resolve(RENDERER, 'index.html'));
    expect(appFileFor(RENDERER, `${APP_ORIGIN}/assets/index-abc.js`)).toBe(resolve(RENDERER, 'assets', 'index-abc.js'));
    // Dot segments (even encoded) are resolved by the URL parser and stop at the root of the renderer.
    expect(appFileFor(RENDERER, `${APP_ORIGIN}/%2e%2e/%2e%2e/package.json`)).toBe(resolve(RENDERER, 'package.json'));
    for (const url of [
      `${APP_ORIGIN}/..%2f..%2fmain%2findex.js`,
      `${APP_ORIGIN}/..%2f`,
      `${APP_ORIGIN}/index.html%00.png`,
      `${APP_ORIGIN}/%E0%A4%A`,
      'app://other/index.html',
      'file:///etc/passwd',
    ]) {
      expect({ url, file: appFileFor(RENDERER, url) }).toEqual({ url, file: null });
    }
  });
});
