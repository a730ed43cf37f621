// electron-vite: main (Node, native modules external; the engine's worker is its own entry), the sandboxed preload
// (CommonJS, everything bundled) and the renderer (same vite settings as the browser host's build).
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, externalizeDepsPlugin, type ElectronViteConfig } from 'electron-vite';
import { rendererViteConfig } from './src/node/host/renderer-build';

const root = dirname(fileURLToPath(import.meta.url));

export default defineConfig(async (): Promise<ElectronViteConfig> => {
  const renderer = await rendererViteConfig(resolve(root, 'out', 'renderer'));
  return {
    main: {
      plugins: [externalizeDepsPlugin()],
      build: {
        outDir: 'out/main',
        rollupOptions: {
          input: { index: resolve(root, 'src/main/index.ts'), worker: resolve(root, 'src/node/engine/worker.ts') },
          output: { entryFileNames: '[name].js' },
        },
      },
    },
    preload: {
      build: {
        outDir: 'out/preload',
        rollupOptions: {
          input: { index: resolve(root, 'src/preload/index.ts') },
          output: { format: 'cjs' as const, entryFileNames: '[name].cjs' },
        },
      },
    },
    renderer: {
      root: renderer.root,
      base: renderer.base,
      plugins: renderer.plugins,
      build: { ...renderer.build, rollupOptions: { input: resolve(root, 'src/renderer/index.html') } },
    },
  };
});
