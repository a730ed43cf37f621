// Loads built ONNX models only after checking their sha256 against models/manifest.json, and opens ORT sessions.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { CodedError } from '../../shared/errors';
import type { ModelName } from '../../build/convert/catalogue';

export type { ModelName } from '../../build/convert/catalogue';
export { MODEL_NAMES } from '../../build/convert/catalogue';

export type ManifestDim = number | string;

export interface ModelManifestEntry {
  name: ModelName;
  file: string;
  source: { package: string; version: string; dir: string; files: string[]; sha256: Record<string, string> };
  licence: string;
  upstream: string;
  input: {
    name: string;
    shape: ManifestDim[];
    layout: 'NHWC';
    dtype: 'float32';
    channels: 'RGB' | 'BGR' | 'grey';
    range: [number, number];
    preprocessing: string;
  };
  /** ONNX output name -> shape, the TF tensor it equals, and what it means. */
  outputs: Record<string, { shape: ManifestDim[]; tf: string; meaning: string }>;
  sha256: string;
  bytes: number;
  parity: { tolerance: number; why: string };
  converter: { name: string; version: string; opset: number };
}

export interface ModelManifest {
  note: string;
  models: ModelManifestEntry[];
}

export const MANIFEST_FILE = 'manifest.json';
const BUILD_HINT = 'Run `npm run build:models` (node bin/liveness.mjs build-models) to build it from the npm-shipped weights.';

/**
 * The folder holding manifest.json and the built .onnx files: $LIVENESS_MODELS_DIR, else the nearest `models/`
 * with a manifest above this module (works from the sources and from a bundled build alike).
 */
export function modelsDir(): string {
  const fromEnv = process.env.LIVENESS_MODELS_DIR;
  if (fromEnv) return path.resolve(fromEnv);
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'models');
    if (existsSync(path.join(candidate, MANIFEST_FILE))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new CodedError(
    'MODEL_MISSING',
    `No models/${MANIFEST_FILE} found above ${fileURLToPath(import.meta.url)}; set LIVENESS_MODELS_DIR.`,
  );
}

/** Reads and sanity-checks a manifest. Not cached: it is small, and tests point at temporary copies. */
export function readManifest(dir: string = modelsDir()): ModelManifest {
  const file = path.join(dir, MANIFEST_FILE);
  let manifest: ModelManifest;
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8')) as ModelManifest;
  } catch (err) {
    throw new CodedError('MODEL_MISSING', `Cannot read the model manifest ${file}: ${(err as Error).message}`, { cause: err });
  }
  if (!Array.isArray(manifest.models) || manifest.models.some((m) => !m.name || !m.file || !/^[0-9a-f]{64}$/.test(m.sha256))) {
    throw new CodedError('MODEL_INTEGRITY', `The model manifest ${file} is malformed.`);
  }
  return manifest;
}

export function manifestEntry(name: ModelName, dir: string = modelsDir()): ModelManifestEntry {
  const entry = readManifest(dir).models.find((m) => m.name === name);
  if (!entry) throw new CodedError('MODEL_MISSING', `Model "${name}" is not in ${path.join(dir, MANIFEST_FILE)}.`);
  return entry;
}

export function modelPath(name: ModelName, dir: string = modelsDir()): string {
  return path.join(dir, manifestEntry(name, dir).file);
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The model's bytes, refused unless their sha256 is the one pinned in the manifest. */
export async function readVerifiedModel(name: ModelName, options: { dir?: string } = {}): Promise<Uint8Array> {
  const dir = options.dir ?? modelsDir();
  const entry = manifestEntry(name, dir);
  const file = path.join(dir, entry.file);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new CodedError('MODEL_MISSING', `Model file ${file} is missing. ${BUILD_HINT}`);
    throw new CodedError('MODEL_MISSING', `Cannot read model file ${file}: ${(err as Error).message}`, { cause: err });
  }
  const actual = sha256Hex(bytes);
  if (actual !== entry.sha256) {
    throw new CodedError(
      'MODEL_INTEGRITY',
      `Model file ${file} has sha256 ${actual.slice(0, 12)}…, the manifest pins ${entry.sha256.slice(0, 12)}…; refusing to load it. Rebuild with \`npm run build:models -- --force\`.`,
    );
  }
  return bytes;
}

export interface SessionOptions {
  /** Threads inside one operator. Default 1, so several sessions share a 2-core machine without oversubscribing. */
  intraOpNumThreads?: number;
  dir?: string;
}

/** An onnxruntime session over the verified bytes (never over a path that could change after the check). */
export async function createSession(name: ModelName, options: SessionOptions = {}): Promise<ort.InferenceSession> {
  const bytes = await readVerifiedModel(name, { dir: options.dir });
  try {
    return await ort.InferenceSession.create(bytes, {
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      intraOpNumThreads: options.intraOpNumThreads ?? 1,
      interOpNumThreads: 1,
    });
  } catch (err) {
    throw new CodedError('ENGINE_FAILURE', `onnxruntime could not open model "${name}": ${(err as Error).message}`, { cause: err });
  }
}

/** Model name -> "package@version sha256:<first 12>", recorded in every result. */
export function modelVersions(dir: string = modelsDir()): Record<string, string> {
  return Object.fromEntries(
    readManifest(dir).models.map((m) => [m.name, `${m.source.package}@${m.source.version} sha256:${m.sha256.slice(0, 12)}`]),
  );
}
