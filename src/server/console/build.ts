// Where the built console lives and how to build it (vite, same discipline as the kiosk renderer: no inline script).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { REPO_ROOT } from '../../node/host/renderer-build';

export const CONSOLE_ROOT = resolve(REPO_ROOT, 'src', 'console');
export const CONSOLE_OUT = resolve(REPO_ROOT, 'out', 'console');

export function consoleIsBuilt(dir: string = CONSOLE_OUT): boolean {
  return existsSync(resolve(dir, 'index.html'));
}

export async function consoleViteConfig(outDir: string = CONSOLE_OUT) {
  const { default: react } = await import('@vitejs/plugin-react');
  return {
    root: CONSOLE_ROOT,
    // Served under /console/ by the API server.
    base: '/console/',
    configFile: false as const,
    logLevel: 'error' as const,
    plugins: [react()],
    build: {
      outDir,
      emptyOutDir: true,
      target: 'chrome120',
      // No inline scripts or eval anywhere: the CSP allows script-src 'self' only.
      modulePreload: { polyfill: false },
      assetsInlineLimit: 0,
      sourcemap: false,
      minify: 'esbuild' as const,
    },
  };
}

/** Builds src/console into `outDir` with vite (a few seconds). */
export async function buildConsole(outDir: string = CONSOLE_OUT): Promise<void> {
  const { build } = await import('vite');
  await build(await consoleViteConfig(outDir));
}
