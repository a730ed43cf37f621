// Where the built console lives and how to build it (vite, same discipline as the kiosk renderer: no inline script).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { reactAppViteConfig, REPO_ROOT } from '../../node/host/renderer-build';

export const CONSOLE_ROOT = resolve(REPO_ROOT, 'src', 'console');
export const CONSOLE_OUT = resolve(REPO_ROOT, 'out', 'console');

export function consoleIsBuilt(dir: string = CONSOLE_OUT): boolean {
  return existsSync(resolve(dir, 'index.html'));
}

/** Served under /console/ by the API server; otherwise built exactly like the kiosk renderer. */
export function consoleViteConfig(outDir: string = CONSOLE_OUT) {
  return reactAppViteConfig(CONSOLE_ROOT, '/console/', outDir);
}

/** Builds src/console into `outDir` with vite (a few seconds). */
export async function buildConsole(outDir: string = CONSOLE_OUT): Promise<void> {
  const { build } = await import('vite');
  await build(await consoleViteConfig(outDir));
}

/** Where the built console is served from (env LIVENESS_CONSOLE_DIR; default out/console). */
export const consoleDir = () => process.env.LIVENESS_CONSOLE_DIR || CONSOLE_OUT;

/** Build the console when asked (`liveness server --build-console`); vite is a dev dependency, so it may be absent. */
export async function ensureConsoleBuilt(
  rebuild: boolean,
  dir: string = consoleDir(),
): Promise<'present' | 'built' | 'missing' | 'unavailable'> {
  if (!rebuild) return consoleIsBuilt(dir) ? 'present' : 'missing';
  try {
    await buildConsole(dir);
    return 'built';
  } catch {
    return 'unavailable';
  }
}
