// The QDQ int8 quantizer (src/build/convert/quantize.ts) on a small real ONNX graph run by onnxruntime: which
// activations it calibrates, that its output is deterministic, and that the int8 graph computes what the float one does
// within a few quantization steps.
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { OnnxGraphBuilder } from '../../src/build/convert/onnx-graph';
import { activationParams, activationsToCalibrate, calibrate, quantizeQdq } from '../../src/build/convert/quantize';

/** input [1,3,8,8] -> Conv -> Relu -> Conv (depthwise) -> Conv (head, 1x1) -> output; deterministic weights. */
function tinyModel(): Uint8Array {
  const b = new OnnxGraphBuilder();
  const weights = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed) * 0.5);
  b.addInput('input', [1, 3, 8, 8]);
  b.addInitializer('w1', { dtype: 'float32', dims: [4, 3, 3, 3], data: weights(108, 1) });
  b.addInitializer('b1', { dtype: 'float32', dims: [4], data: Float32Array.of(0.1, -0.2, 0.05, 0) });
  b.addInitializer('w2', { dtype: 'float32', dims: [4, 1, 3, 3], data: weights(36, 2) });
  b.addInitializer('w3', { dtype: 'float32', dims: [2, 4, 1, 1], data: weights(8, 3) });
  b.addNode('Conv', ['input', 'w1', 'b1'], ['c1'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
  b.addNode('Relu', ['c1'], ['r1']);
  b.addNode('Conv', ['r1', 'w2'], ['c2'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], group: 4 });
  b.addNode('Conv', ['c2', 'w3'], ['output'], { kernel_shape: [1, 1] });
  b.addOutput('output', [1, 2, 8, 8]);
  return b.encode({ graphName: 'tiny', producerName: 'test', producerVersion: '0', opset: 13, docString: '', metadata: {} });
}

const input = (seed: number) =>
  new ort.Tensor(
    'float32',
    Float32Array.from({ length: 192 }, (_, i) => Math.cos(i * 0.37 + seed)),
    [1, 3, 8, 8],
  );

describe('QDQ int8 quantizer', () => {
  it('calibrates the inputs and outputs of every Conv but the head', () => {
    expect(activationsToCalibrate(tinyModel())).toEqual(['input', 'c1', 'r1', 'c2']);
  });

  it('puts zero exactly on the uint8 grid and covers the range', () => {
    const { scale, zeroPoint } = activationParams([-1, 3]);
    // Zero is the integer zeroPoint itself; the ends of the range sit within one step of the grid's ends.
    expect(Number.isInteger(zeroPoint)).toBe(true);
    expect(Math.abs(-zeroPoint * scale - -1)).toBeLessThanOrEqual(scale);
    expect(Math.abs((255 - zeroPoint) * scale - 3)).toBeLessThanOrEqual(scale);
    expect(activationParams([0, 0])).toEqual({ scale: 1, zeroPoint: 0 });
  });

  it('writes the same bytes every time, int8 weights behind DequantizeLinear, and computes what the float graph does', async () => {
    const float = tinyModel();
    const ranges = await calibrate(float, [input(0), input(1), input(2)]);
    const int8 = quantizeQdq(float, ranges);
    expect(Buffer.from(quantizeQdq(float, ranges)).equals(Buffer.from(int8))).toBe(true);
    const graph = onnxProto.onnx.ModelProto.decode(int8).graph!;
    const ops = graph.node!.map((n) => n.opType);
    expect(ops.filter((op) => op === 'QuantizeLinear')).toHaveLength(4);
    expect(
      graph.initializer!.filter((t) => t.dataType === onnxProto.onnx.TensorProto.DataType.INT8 && t.name!.endsWith('w_int8')),
    ).toHaveLength(2);
    // The head keeps its float weights; the body's float weights are gone.
    expect(graph.initializer!.map((t) => t.name)).toContain('w3');
    expect(graph.initializer!.map((t) => t.name)).not.toContain('w1');

    const a = await ort.InferenceSession.create(float);
    const q = await ort.InferenceSession.create(int8);
    const x = (await a.run({ input: input(1) })).output.data as Float32Array;
    const y = (await q.run({ input: input(1) })).output.data as Float32Array;
    const spread = Math.max(...x) - Math.min(...x);
    let worst = 0;
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
    // Four uint8 activations in a row: a few steps of 1/255 of the range, never more than 5% of it.
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThan(0.05 * spread);
  });

  it('refuses to quantize an activation it has no range for', () => {
    expect(() => quantizeQdq(tinyModel(), { input: [-1, 1] })).toThrow(expect.objectContaining({ code: 'MODEL_INTEGRITY' }));
  });
});
