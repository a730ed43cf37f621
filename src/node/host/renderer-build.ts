// Where the built renderer lives and how to build it (vite, same settings as electron.vite.config.ts's renderer).
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const RENDERER_ROOT = resolve(REPO_ROOT, 'src', 'renderer');
export const RENDERER_OUT = resolve(REPO_ROOT, 'out', 'renderer');

export function rendererIsBuilt(dir: string = RENDERER_OUT): boolean {
  return existsSync(resolve(dir, 'index.html'));
}

/**
 * Vite settings for one of our React apps (the kiosk renderer, the business console): the same discipline for both,
 * no inline script or eval anywhere, because their CSP allows script-src 'self' only.
 */
export async function reactAppViteConfig(root: string, base: string, outDir: string) {
  const { default: react } = await import('@vitejs/plugin-react');
  return {
    root,
    base,
    configFile: false as const,
    logLevel: 'error' as const,
    plugins: [react()],
    build: {
      outDir,
      emptyOutDir: true,
      target: 'chrome120',
      modulePreload: { polyfill: false },
      assetsInlineLimit: 0,
      sourcemap: false,
      minify: 'esbuild' as const,
    },
  };
}

/** The renderer's vite settings, shared with electron.vite.config.ts so both builds are the same app. */
export function rendererViteConfig(outDir: string = RENDERER_OUT) {
  return reactAppViteConfig(RENDERER_ROOT, './', outDir);
}

/** Builds src/renderer into `outDir` with vite (a few seconds). */
export async function buildRenderer(outDir: string = RENDERER_OUT): Promise<void> {
  const { build } = await import('vite');
  await build(await rendererViteConfig(outDir));
}
