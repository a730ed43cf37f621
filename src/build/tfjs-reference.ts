// The original runtime: a tfjs graph model loaded from disk and run with tfjs-core (cpu or wasm backend) in Node.
// Used by the parity tests and by the benchmark as the reference the ONNX models are compared against.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { CodedError } from '../shared/errors';

export type ReferenceBackend = 'cpu' | 'wasm';

export interface ReferenceOutput {
  data: Float32Array;
  dims: number[];
}

const require = createRequire(import.meta.url);
let activeBackend: ReferenceBackend | undefined;

/** Selects the tfjs backend once per process; wasm loads its .wasm files from node_modules by file path. */
export async function useReferenceBackend(backend: ReferenceBackend): Promise<void> {
  if (activeBackend === backend) return;
  tf.env().set('PROD', true); // silences tfjs's "install tfjs-node" banner; no debug checks in the reference
  if (backend === 'wasm') {
    const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    // A plain path prefix: in Node, emscripten reads the .wasm with fs, not fetch. Threads need web workers: off.
    setWasmPaths(`${dist}${path.sep}`);
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
  const ok = await tf.setBackend(backend);
  if (!ok) throw new CodedError('ENGINE_FAILURE', `The tfjs ${backend} backend failed to initialise.`);
  await tf.ready();
  activeBackend = backend;
}

/** The tfjs backend actually running (e.g. to prove that wasm, not a silent cpu fallback, was measured). */
export function activeReferenceBackend(): string {
  return tf.getBackend();
}

export class TfjsReferenceModel {
  private constructor(
    private readonly model: GraphModel,
    readonly backend: ReferenceBackend,
  ) {}

  /** Loads model.json and its weight shards from disk (no fetch, no network). */
  static async load(modelJsonPath: string, backend: ReferenceBackend = 'cpu'): Promise<TfjsReferenceModel> {
    await useReferenceBackend(backend);
    const json = JSON.parse(await readFile(modelJsonPath, 'utf8'));
    const dir = path.dirname(modelJsonPath);
    const groups: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] = json.weightsManifest;
    const shards = await Promise.all(groups.flatMap((g) => g.paths).map((p) => readFile(path.join(dir, p))));
    const weightData = Buffer.concat(shards);
    const handler: tf.io.IOHandler = {
      load: async () => ({
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        signature: json.signature,
        userDefinedMetadata: json.userDefinedMetadata,
        weightSpecs: groups.flatMap((g) => g.weights),
        weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength),
      }),
    };
    return new TfjsReferenceModel(await loadGraphModel(handler), backend);
  }

  /**
   * Runs the model on one NHWC float32 batch and returns the requested TF tensors (e.g. "Identity_2:0"), keyed by
   * the names given in `outputs` (onnx name -> TF tensor name).
   */
  async run(input: Float32Array, shape: number[], outputs: Record<string, string>): Promise<Record<string, ReferenceOutput>> {
    const names = Object.keys(outputs);
    const x = tf.tensor(input, shape, 'float32');
    try {
      const result = this.model.execute(
        x,
        names.map((n) => outputs[n]),
      );
      const tensors = Array.isArray(result) ? result : [result];
      try {
        const outputsByName: Record<string, ReferenceOutput> = {};
        for (let i = 0; i < tensors.length; i++) {
          outputsByName[names[i]] = { data: (await tensors[i].data()) as Float32Array, dims: [...tensors[i].shape] };
        }
        return outputsByName;
      } finally {
        tf.dispose(tensors);
      }
    } finally {
      x.dispose();
    }
  }

  dispose(): void {
    this.model.dispose();
  }
}
