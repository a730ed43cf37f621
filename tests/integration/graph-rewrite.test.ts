// The load-time PRelu expansion keeps every output of the real models identical on a real face.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { expandPRelu } from '../../src/main/engine/graph-rewrite';
import { readVerifiedModel } from '../../src/main/engine/model-store';

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

describe('expandPRelu', () => {
  it.each([
    ['facemesh', 192, 1],
    ['iris', 64, 2],
  ] as const)('%s: no PRelu left, outputs bit-identical', async (name, size, batch) => {
    const original = await readVerifiedModel(name);
    const { bytes, rewritten } = expandPRelu(original);
    expect(rewritten).toBeGreaterThan(10);
    const ops = onnxProto.onnx.ModelProto.decode(bytes).graph?.node?.map((n) => n.opType) ?? [];
    expect(ops).not.toContain('PRelu');
    const input = await faceTensor(size, batch);
    const [a, b] = await Promise.all(
      [original, bytes].map(async (model) => (await ort.InferenceSession.create(model, { logSeverityLevel: 3 })).run({ input })),
    );
    for (const key of Object.keys(a)) {
      const x = a[key].data as Float32Array;
      const y = b[key].data as Float32Array;
      expect(y.length).toBe(x.length);
      let maxDiff = 0;
      for (let i = 0; i < x.length; i++) maxDiff = Math.max(maxDiff, Math.abs(x[i] - y[i]));
      expect(maxDiff).toBeLessThanOrEqual(1e-5);
    }
  });

  it('leaves a model without PRelu as it is', async () => {
    const blazeface = await readVerifiedModel('blazeface');
    const result = expandPRelu(blazeface);
    expect(result.rewritten).toBe(0);
    expect(result.bytes).toBe(blazeface);
  });
});
