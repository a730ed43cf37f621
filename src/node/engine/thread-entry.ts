// How a worker thread of the engine is started: compiled, the .js file beside the caller; from the TypeScript
// sources, a tiny bootstrap that registers tsx's loader inside the thread first (Node 20 applies no `--import`
// hooks to a worker's own entry).
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

export interface ThreadEntry {
  entry: string | URL;
  eval: boolean;
}

/** `callerUrl` is the caller's import.meta.url; `name` the entry module beside it, without extension. */
export function threadEntry(callerUrl: string, name: string): ThreadEntry {
  if (!callerUrl.endsWith('.ts')) return { entry: new URL(`./${name}.js`, callerUrl), eval: false };
  const tsxApi = createRequire(callerUrl)
    .resolve('tsx/esm/api')
    .replace(/\.cjs$/, '.mjs');
  const target = new URL(`./${name}.ts`, callerUrl).href;
  const code = `import(${JSON.stringify(pathToFileURL(tsxApi).href)}).then((m) => { m.register(); return import(${JSON.stringify(target)}); });`;
  return { entry: code, eval: true };
}
