// The converter emits PRelu as Relu(x) + (-alpha) * Relu(-x): the built models need no load-time rewrite, and on a
// real face they compute exactly what a graph with onnxruntime's own PRelu computes.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { modelSpec, SOURCE_DIR } from '../../src/build/convert/catalogue';
import { convertTfjsModel } from '../../src/build/convert/tfjs-to-onnx';
import { resolveSourcePackage } from '../../src/build/model-build';
import { MODEL_NAMES, readVerifiedModel } from '../../src/node/engine/model-store';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixtures = process.env.LIVENESS_FIXTURES ?? path.resolve(repoRoot, '..', 'shared', 'fixtures');

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

describe('PRelu decomposition in the converter', () => {
  it('no built model holds a PRelu node', async () => {
    for (const name of MODEL_NAMES) expect(opTypes(await readVerifiedModel(name)), name).not.toContain('PRelu');
  });

  it.each([
    ['facemesh', 192, 1],
    ['iris', 64, 2],
  ] as const)('%s: decomposed and native PRelu graphs give the same outputs on a real face', async (name, size, batch) => {
    const spec = modelSpec(name);
    if (!spec) throw new Error(`no spec for ${name}`);
    const json = path.join(resolveSourcePackage().root, SOURCE_DIR, spec.sourceJson);
    const [native, decomposed] = await Promise.all(
      (['native', 'decomposed'] as const).map((prelu) => convertTfjsModel(json, { graphName: name, prelu })),
    );
    const nativeOps = opTypes(native.bytes);
    expect(nativeOps.filter((op) => op === 'PRelu').length).toBeGreaterThan(10);
    expect(opTypes(decomposed.bytes)).not.toContain('PRelu');
    const input = await faceTensor(size, batch);
    const [a, b] = await Promise.all(
      [native.bytes, decomposed.bytes].map(async (model) =>
        (await ort.InferenceSession.create(model, { logSeverityLevel: 3 })).run({ input }),
      ),
    );
    for (const key of Object.keys(a)) {
      const x = a[key].data as Float32Array;
      const y = b[key].data as Float32Array;
      expect(y.length).toBe(x.length);
      let maxDiff = 0;
      for (let i = 0; i < x.length; i++) maxDiff = Math.max(maxDiff, Math.abs(x[i] - y[i]));
      expect(maxDiff, key).toBeLessThanOrEqual(1e-5);
    }
  });
});
