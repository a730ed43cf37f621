// The converter emits PRelu as two 1x1 depthwise Convs, x + (1 - alpha) * Relu(-x), and a channel padding as a
// 1x1 Conv that copies channels: the built models need no load-time rewrite, on a real face they compute what a
// graph with onnxruntime's own PRelu computes, and onnxruntime keeps them in its blocked NCHWc layout (the reason
// for both forms: README "Speed"). tests/unit/convert-layout.test.ts checks both against a naive TF reference.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { modelSpec, SOURCE_DIR } from '../../src/build/convert/catalogue';
import { convertTfjsModel, type ConvertOptions } from '../../src/build/convert/tfjs-to-onnx';
import { resolveSourcePackage } from '../../src/build/model-build';
import { MODEL_NAMES, readVerifiedModel } from '../../src/node/engine/model-store';
import { sessionOptions } from '../../src/node/engine/sessions';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixtures = process.env.LIVENESS_FIXTURES ?? path.resolve(repoRoot, '..', 'shared', 'fixtures');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'graph-rewrite-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function faceTensor(size: number, batch: number): Promise<ort.Tensor> {
  const { data } = await sharp(path.join(fixtures, 'ageitgey__face_recognition/examples/obama.jpg'))
    .extract({ left: 330, top: 90, width: 320, height: 320 })
    .resize(size, size)
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const one = Float32Array.from(data, (v) => v / 255);
  const all = new Float32Array(one.length * batch);
  for (let b = 0; b < batch; b++) all.set(one, b * one.length);
  return new ort.Tensor('float32', all, [batch, size, size, 3]);
}

const opTypes = (bytes: Uint8Array): string[] => onnxProto.onnx.ModelProto.decode(bytes).graph?.node?.map((n) => n.opType ?? '') ?? [];
const count = (ops: string[], op: string): number => ops.filter((o) => o === op).length;

async function convert(name: 'facemesh' | 'iris', prelu: NonNullable<ConvertOptions['prelu']>): Promise<Uint8Array> {
  const spec = modelSpec(name);
  if (!spec) throw new Error(`no spec for ${name}`);
  const json = path.join(resolveSourcePackage().root, SOURCE_DIR, spec.sourceJson);
  return (await convertTfjsModel(json, { graphName: name, prelu })).bytes;
}

/** The ops of the graph onnxruntime actually runs, after the engine's own optimisation level (NCHWc included). */
async function optimisedOps(bytes: Uint8Array, tag: string): Promise<string[]> {
  const file = path.join(scratch, `${tag}.onnx`);
  await ort.InferenceSession.create(bytes, { ...sessionOptions(1), optimizedModelFilePath: file });
  return opTypes(readFileSync(file));
}

async function largestDifference(x: ort.InferenceSession.OnnxValueMapType, y: ort.InferenceSession.OnnxValueMapType): Promise<number> {
  let maxDiff = 0;
  for (const key of Object.keys(x)) {
    const a = x[key].data as Float32Array;
    const b = y[key].data as Float32Array;
    expect(b.length).toBe(a.length);
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
  }
  return maxDiff;
}

describe('PRelu and channel padding in the converter', () => {
  it('no built model holds a PRelu, a Neg or a Pad node', async () => {
    for (const name of MODEL_NAMES) {
      const ops = opTypes(await readVerifiedModel(name));
      expect(ops, name).not.toContain('PRelu');
      expect(ops, name).not.toContain('Neg');
      expect(ops, name).not.toContain('Pad');
    }
  });

  it.each([
    ['facemesh', 192, 1],
    ['iris', 64, 2],
  ] as const)('%s: the depthwise, decomposed and native PRelu graphs agree on a real face', async (name, size, batch) => {
    const [native, decomposed, depthwise] = await Promise.all(
      (['native', 'decomposed', 'depthwise'] as const).map((p) => convert(name, p)),
    );
    const prelus = count(opTypes(native), 'PRelu');
    expect(prelus).toBeGreaterThan(10);
    expect(opTypes(decomposed)).not.toContain('PRelu');
    // Each PRelu became two depthwise Convs and nothing else that onnxruntime must leave the blocked layout for.
    const depthwiseOps = opTypes(depthwise);
    expect(count(depthwiseOps, 'Conv') - count(opTypes(native), 'Conv')).toBe(2 * prelus);
    expect(depthwiseOps).not.toContain('PRelu');
    expect(depthwiseOps).not.toContain('Neg');
    expect(depthwiseOps).not.toContain('Mul');

    const input = await faceTensor(size, batch);
    const [a, b, c] = await Promise.all(
      [native, decomposed, depthwise].map(async (model) => (await ort.InferenceSession.create(model, sessionOptions(1))).run({ input })),
    );
    // Decomposed is exact in IEEE arithmetic; depthwise rounds once more for x < 0 (measured: about 1e-5 px here,
    // the manifest's parity tolerance against the original tfjs model is 5e-3 px).
    expect(await largestDifference(a, b)).toBeLessThanOrEqual(1e-5);
    expect(await largestDifference(a, c)).toBeLessThanOrEqual(5e-4);
  });

  it.each(['facemesh', 'iris'] as const)(
    '%s: onnxruntime runs the depthwise form in its blocked layout, the decomposed one leaves it at every PRelu',
    async (name) => {
      const [decomposed, depthwise] = await Promise.all((['decomposed', 'depthwise'] as const).map((p) => convert(name, p)));
      const reorders = (ops: string[]) => count(ops, 'ReorderInput') + count(ops, 'ReorderOutput');
      const prelus = count(opTypes(await convert(name, 'native')), 'PRelu');
      const slow = reorders(await optimisedOps(decomposed, `${name}-decomposed`));
      const fast = reorders(await optimisedOps(depthwise, `${name}-depthwise`));
      // Out of the layout and back at each PRelu; the depthwise form's few come from the input and the heads.
      expect(slow).toBeGreaterThanOrEqual(2 * prelus);
      expect(fast).toBeLessThan(prelus / 2);
    },
  );
});
