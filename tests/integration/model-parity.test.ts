// Parity: every built ONNX model (onnxruntime-node) against its tfjs original (tfjs-converter, wasm backend by
// default, PARITY_BACKEND=cpu for the pure-JS kernels) on the same real faces; plus the loader's integrity checks.
import { copyFile, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CodedError } from '../../src/shared/errors';
import { MODEL_SPECS, SOURCE_DIR } from '../../src/build/convert/catalogue';
import { buildModels, resolveSourcePackage } from '../../src/build/model-build';
import {
  createSession,
  modelsDir,
  modelVersions,
  readManifest,
  readVerifiedModel,
  type ModelManifestEntry,
} from '../../src/node/engine/model-store';
import { activeReferenceBackend, TfjsReferenceModel, type ReferenceBackend } from '../../src/build/tfjs-reference';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixturesDir = process.env.LIVENESS_FIXTURES ?? path.resolve(repoRoot, '..', 'shared', 'fixtures');
const haveFixtures = existsSync(path.join(fixturesDir, 'labels.csv'));
const backend = (process.env.PARITY_BACKEND ?? 'wasm') as ReferenceBackend;

interface Sample {
  file: string;
  label: 'real' | 'spoof';
  kind: 'image' | 'crop';
}

/** One still per (label, kind, source folder): genuine whole photos, genuine crops and attack crops. */
function pickFixtures(): Sample[] {
  const lines = readFileSync(path.join(fixturesDir, 'labels.csv'), 'utf8').trim().split('\n').slice(1);
  const picked = new Map<string, Sample>();
  for (const line of lines) {
    const [file, label, kind] = line.split(',');
    if (kind === 'video' || (label !== 'real' && label !== 'spoof')) continue;
    const group = `${label}/${kind}/${file.split('/')[0]}`;
    if (!picked.has(group)) picked.set(group, { file, label, kind: kind as Sample['kind'] });
  }
  return [...picked.values()];
}

/** NHWC float32 in the model's documented range, resized with sharp to the model's input size. */
async function toModelInput(sample: Sample, entry: ModelManifestEntry): Promise<{ data: Float32Array; shape: number[] }> {
  const [, height, width, channels] = entry.input.shape as [string, number, number, number];
  const rgb = await sharp(path.join(fixturesDir, sample.file)).removeAlpha().resize(width, height, { fit: 'fill' }).raw().toBuffer();
  const [lo, hi] = entry.input.range;
  const data = new Float32Array(width * height * channels);
  for (let p = 0; p < width * height; p++) {
    const [r, g, b] = [rgb[3 * p] / 255, rgb[3 * p + 1] / 255, rgb[3 * p + 2] / 255];
    if (channels === 1) data[p] = (0.2989 * r + 0.587 * g + 0.114 * b) * (hi - lo) + lo;
    else for (let c = 0; c < 3; c++) data[3 * p + c] = [r, g, b][c] * (hi - lo) + lo;
  }
  return { data, shape: [1, height, width, channels] };
}

describe('model build', () => {
  it('builds (or finds cached) every model and every file matches the manifest', async () => {
    const results = await buildModels({ dir: modelsDir() });
    expect(results.map((r) => r.name).sort()).toEqual(MODEL_SPECS.map((s) => s.name).sort());
    const manifest = readManifest();
    for (const result of results) {
      expect(result.sha256).toBe(manifest.models.find((m) => m.name === result.name)?.sha256);
    }
    expect(Object.keys(modelVersions())).toContain('facemesh');
    expect(modelVersions().facemesh).toMatch(/^@vladmandic\/human-models@\d+\.\d+\.\d+ sha256:[0-9a-f]{12}$/);
  });

  it('builds into an empty folder, then finds the file cached; refuses a source whose hash is not the pinned one', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'liveness-build-'));
    try {
      const manifest = readManifest();
      await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
      const [first] = await buildModels({ dir, only: ['liveness'] });
      expect(first).toMatchObject({ name: 'liveness', status: 'built' });
      const [second] = await buildModels({ dir, only: ['liveness'] });
      expect(second).toMatchObject({ name: 'liveness', status: 'cached', sha256: first.sha256 });
      const tampered = structuredClone(manifest);
      const entry = tampered.models.find((m) => m.name === 'liveness') as ModelManifestEntry;
      entry.source.sha256['liveness.bin'] = '0'.repeat(64);
      await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(tampered));
      await expect(buildModels({ dir, only: ['liveness'], force: true })).rejects.toMatchObject({ code: 'MODEL_INTEGRITY' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!haveFixtures)(
  `ONNX vs tfjs (${backend}) parity on real faces${haveFixtures ? '' : ` (SKIPPED: fixtures absent at ${fixturesDir})`}`,
  () => {
    const samples = haveFixtures ? pickFixtures() : [];
    const source = resolveSourcePackage();

    beforeAll(async () => {
      await buildModels({ dir: modelsDir() });
    });

    it('uses several genuine whole images, genuine crops and attack crops', () => {
      expect(samples.length).toBeGreaterThanOrEqual(5);
      for (const kind of ['image', 'crop']) expect(samples.some((s) => s.kind === kind && s.label === 'real')).toBe(true);
      expect(samples.some((s) => s.label === 'spoof')).toBe(true);
    });

    for (const spec of MODEL_SPECS) {
      it(`${spec.name}: every output agrees within ${spec.parity.tolerance} (max abs diff)`, async () => {
        const entry = readManifest().models.find((m) => m.name === spec.name) as ModelManifestEntry;
        expect(entry.parity.tolerance).toBe(spec.parity.tolerance);
        const session = await createSession(spec.name);
        const reference = await TfjsReferenceModel.load(path.join(source.root, SOURCE_DIR, spec.sourceJson), backend);
        expect(activeReferenceBackend()).toBe(backend);
        const tfNames = Object.fromEntries(Object.entries(entry.outputs).map(([name, o]) => [name, o.tf]));
        const worst: Record<string, number> = {};
        try {
          for (const sample of samples) {
            const { data, shape } = await toModelInput(sample, entry);
            const onnx = await session.run({ [entry.input.name]: new ort.Tensor('float32', data, shape) });
            const tfjs = await reference.run(data, shape, tfNames);
            for (const name of Object.keys(entry.outputs)) {
              const a = onnx[name].data as Float32Array;
              const b = tfjs[name].data;
              expect(onnx[name].dims).toEqual(tfjs[name].dims);
              expect(a.length).toBeGreaterThan(0);
              let diff = 0;
              for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
              expect(Number.isFinite(diff), `${name} on ${sample.file}`).toBe(true);
              worst[name] = Math.max(worst[name] ?? 0, diff);
            }
          }
        } finally {
          reference.dispose();
          await session.release();
        }
        console.log(
          `parity ${spec.name} (${samples.length} faces, tfjs ${backend}): ${Object.entries(worst)
            .map(([n, d]) => `${n} ${d.toExponential(2)}`)
            .join(', ')}; tolerance ${spec.parity.tolerance}`,
        );
        for (const [name, diff] of Object.entries(worst)) expect(diff, name).toBeLessThanOrEqual(spec.parity.tolerance);
      });
    }

    it('blazeface in its documented [-1,1] range finds a face on every genuine whole photo (input range is right)', async () => {
      const entry = readManifest().models.find((m) => m.name === 'blazeface') as ModelManifestEntry;
      const session = await createSession('blazeface');
      try {
        for (const sample of samples.filter((s) => s.kind === 'image' && s.label === 'real')) {
          const { data, shape } = await toModelInput(sample, entry);
          const out = await session.run({ input: new ort.Tensor('float32', data, shape) });
          const logits = [...(out.output_0.data as Float32Array), ...(out.output_1.data as Float32Array)];
          const best = 1 / (1 + Math.exp(-Math.max(...logits)));
          expect(best, sample.file).toBeGreaterThan(0.75);
        }
      } finally {
        await session.release();
      }
    });
  },
);

describe('model integrity (on a temporary copy, models/ untouched)', () => {
  let dir: string;

  beforeAll(async () => {
    await buildModels({ dir: modelsDir(), only: ['liveness'] });
  });

  // A fresh copy per case: one case damages or deletes the model, and no case may see what another left.
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'liveness-models-'));
    await copyFile(path.join(modelsDir(), 'manifest.json'), path.join(dir, 'manifest.json'));
    await copyFile(path.join(modelsDir(), 'liveness.onnx'), path.join(dir, 'liveness.onnx'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads an intact copy and runs it', async () => {
    const session = await createSession('liveness', { dir });
    const out = await session.run({ input: new ort.Tensor('float32', new Float32Array(32 * 32 * 3).fill(0.5), [1, 32, 32, 3]) });
    const probs = out.activation_6.data as Float32Array;
    expect(probs[0] + probs[1]).toBeCloseTo(1, 5);
    await session.release();
  });

  it('refuses a model with one byte changed (MODEL_INTEGRITY)', async () => {
    const file = path.join(dir, 'liveness.onnx');
    const bytes = await readFile(file);
    const original = bytes[bytes.length >> 1];
    bytes[bytes.length >> 1] = original ^ 0x01;
    await writeFile(file, bytes);
    const error = await readVerifiedModel('liveness', { dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CodedError);
    expect((error as CodedError).code).toBe('MODEL_INTEGRITY');
    await expect(createSession('liveness', { dir })).rejects.toMatchObject({ code: 'MODEL_INTEGRITY' });
  });

  it('reports a missing model file as MODEL_MISSING with the build command', async () => {
    await unlink(path.join(dir, 'liveness.onnx'));
    const error = await readVerifiedModel('liveness', { dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CodedError);
    expect((error as CodedError).code).toBe('MODEL_MISSING');
    expect((error as CodedError).message).toContain('build:models');
  });
});
