// electron-vite: main (Node, native modules external; the engine's worker and model thread are entries of their own), the sandboxed preload
// (CommonJS, everything bundled) and the renderer (same vite settings as the browser host's build). The main bundle
// embeds the model manifest's sha256, so the signed asar covers the manifest (src/node/host/manifest-pin.ts).
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, externalizeDepsPlugin, type ElectronViteConfig } from 'electron-vite';
import { rendererViteConfig } from './src/node/host/renderer-build';
import { manifestPinDefine } from './src/node/host/manifest-pin';

const root = dirname(fileURLToPath(import.meta.url));

export default defineConfig(async (): Promise<ElectronViteConfig> => {
  const renderer = await rendererViteConfig(resolve(root, 'out', 'renderer'));
  return {
    main: {
      plugins: [externalizeDepsPlugin()],
      define: manifestPinDefine(resolve(root, 'models')),
      build: {
        outDir: 'out/main',
        rollupOptions: {
          input: {
            index: resolve(root, 'src/main/index.ts'),
            worker: resolve(root, 'src/node/engine/worker.ts'),
            'split-batch-thread': resolve(root, 'src/node/engine/split-batch-thread.ts'),
          },
          // Chunks beside the entries: the engine starts its threads by a file next to its own module's URL.
          output: { entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
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
