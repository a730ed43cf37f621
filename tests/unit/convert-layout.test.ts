// The converter's layout logic: weight re-layouts, TF SAME padding, and a small synthetic TF graph whose ONNX
// conversion (run by onnxruntime) must equal a naive NHWC implementation of the same TF ops.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { constantToNchw, depthwiseToOnnx, hwioToOihw, samePads, transposeConstant } from '../../src/build/convert/layout';
import { convertTfjsGraph } from '../../src/build/convert/tfjs-to-onnx';
import { halfToFloat, type ConstTensor, type TfjsGraph, type TfNode } from '../../src/build/convert/tfjs-graph';

const f32 = (shape: number[], fill: (i: number) => number): ConstTensor => ({
  dtype: 'float32',
  shape,
  data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => fill(i)),
});
const i32 = (values: number[], shape = [values.length]): ConstTensor => ({ dtype: 'int32', shape, data: Int32Array.from(values) });
const b64 = (s: string) => Buffer.from(s).toString('base64');
const ints = (...values: number[]) => ({ list: { i: values.map(String) } });

describe('layout helpers', () => {
  it('transposes like numpy.transpose', () => {
    const t = transposeConstant(
      f32([2, 3], (i) => i),
      [1, 0],
    );
    expect(t.shape).toEqual([3, 2]);
    expect([...t.data]).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it('maps HWIO filters to OIHW and depthwise [kh,kw,C,M] to [C*M,1,kh,kw]', () => {
    const hwio = f32([1, 2, 3, 4], (i) => i); // index = ((h*2 + w)*3 + i)*4 + o
    const oihw = hwioToOihw(hwio);
    expect(oihw.shape).toEqual([4, 3, 1, 2]);
    expect(oihw.data[((2 * 3 + 1) * 1 + 0) * 2 + 1]).toBe(((0 * 2 + 1) * 3 + 1) * 4 + 2); // o=2, i=1, h=0, w=1
    const dw = depthwiseToOnnx(f32([2, 2, 3, 2], (i) => i)); // index = ((h*2 + w)*3 + c)*2 + m
    expect(dw.shape).toEqual([6, 1, 2, 2]);
    expect(dw.data[(2 * 2 + 1) * 4 + 1 * 2 + 0]).toBe(((1 * 2 + 0) * 3 + 2) * 2 + 1); // c=2, m=1, h=1, w=0
  });

  it('re-lays out per-channel constants for NCHW broadcasting', () => {
    expect(constantToNchw(f32([3], (i) => i)).shape).toEqual([1, 3, 1, 1]);
    expect(constantToNchw(f32([1, 1, 3], (i) => i)).shape).toEqual([1, 3, 1, 1]);
    const hwc = constantToNchw(f32([2, 2, 3], (i) => i));
    expect(hwc.shape).toEqual([1, 3, 2, 2]);
    expect(hwc.data[1 * 4 + 1 * 2 + 0]).toBe((1 * 2 + 0) * 3 + 1);
  });

  it('pads SAME like TensorFlow: the odd pixel goes after', () => {
    expect(samePads(256, 5, 2, 1)).toEqual([1, 2]);
    expect(samePads(7, 3, 1, 1)).toEqual([1, 1]);
    expect(samePads(8, 2, 2, 1)).toEqual([0, 0]);
    expect(samePads(5, 3, 2, 2)).toEqual([2, 2]);
  });

  it('decodes float16 weights exactly', () => {
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(halfToFloat(0x7bff)).toBe(65504);
  });
});

// ---- a synthetic TF graph ------------------------------------------------------------------------------------

const H = 5;
const W = 6;
const C = 2;
const filterConv = f32([3, 3, C, 4], (i) => Math.sin(i * 0.7));
const biasConv = f32([4], (i) => 0.1 * i - 0.1);
const alpha = f32([1, 1, 4], (i) => 0.1 + 0.05 * i);
const filterDw = f32([3, 3, 4, 1], (i) => Math.cos(i * 0.3));
const channelPad = i32([0, 0, 0, 0, 0, 0, 0, 2], [4, 2]);
const flatten = i32([-1, 3 * 3 * 6]);
const dense = f32([54, 3], (i) => Math.sin(i * 0.11));
const denseBias = f32([3], (i) => i * 0.01);

function node(name: string, op: string, input: string[], attr: TfNode['attr'] = {}): TfNode {
  return { name, op, input, attr };
}

function syntheticGraph(): TfjsGraph {
  const weights = new Map<string, ConstTensor>([
    ['w', filterConv],
    ['b', biasConv],
    ['alpha', alpha],
    ['dw', filterDw],
    ['pads', channelPad],
    ['shape', flatten],
    ['dense', dense],
    ['dense_b', denseBias],
  ]);
  const nodes: TfNode[] = [
    ...[...weights.keys()].map((name) => node(name, 'Const', [])),
    node('x', 'Placeholder', [], {
      dtype: { type: 'DT_FLOAT' },
      shape: { shape: { dim: [{ size: '1' }, { size: String(H) }, { size: String(W) }, { size: String(C) }] } },
    }),
    node('conv', '_FusedConv2D', ['x', 'w', 'b', 'alpha'], {
      strides: ints(1, 1, 1, 1),
      padding: { s: b64('SAME') },
      fused_ops: { list: { s: [b64('BiasAdd'), b64('Prelu')] } },
      num_args: { i: '2' },
    }),
    node('dwconv', 'DepthwiseConv2dNative', ['conv', 'dw'], { strides: ints(1, 2, 2, 1), padding: { s: b64('SAME') } }),
    node('pool', 'MaxPool', ['conv'], { ksize: ints(1, 2, 2, 1), strides: ints(1, 2, 2, 1), padding: { s: b64('SAME') } }),
    node('sum', 'AddV2', ['dwconv', 'pool']),
    node('padded', 'Pad', ['sum', 'pads']),
    node('relu6', 'Relu6', ['padded']),
    node('flat', 'Reshape', ['relu6', 'shape']),
    node('logits', '_FusedMatMul', ['flat', 'dense', 'dense_b'], {
      fused_ops: { list: { s: [b64('BiasAdd')] } },
      transpose_a: { b: false },
      transpose_b: { b: false },
    }),
    node('probs', 'Softmax', ['logits']),
    node('Identity', 'Identity', ['probs']),
    node('Identity_1', 'Identity', ['relu6']),
  ];
  return { nodes, weights };
}

/** Naive NHWC reference of the same ops (TF semantics). */
class Nhwc {
  constructor(
    readonly h: number,
    readonly w: number,
    readonly c: number,
    readonly data = new Float32Array(h * w * c),
  ) {}
  at(y: number, x: number, ch: number): number {
    return y < 0 || x < 0 || y >= this.h || x >= this.w ? NaN : this.data[(y * this.w + x) * this.c + ch];
  }
  set(y: number, x: number, ch: number, v: number): void {
    this.data[(y * this.w + x) * this.c + ch] = v;
  }
}

function reference(input: Nhwc): { probs: number[]; features: Float32Array } {
  // conv 3x3 SAME stride 1 + bias + prelu(alpha)
  const conv = new Nhwc(H, W, 4);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      for (let o = 0; o < 4; o++) {
        let s = biasConv.data[o];
        for (let ky = 0; ky < 3; ky++)
          for (let kx = 0; kx < 3; kx++)
            for (let i = 0; i < C; i++) {
              const v = input.at(y + ky - 1, x + kx - 1, i);
              if (!Number.isNaN(v)) s += v * filterConv.data[((ky * 3 + kx) * C + i) * 4 + o];
            }
        conv.set(y, x, o, s >= 0 ? s : s * alpha.data[o]);
      }
  // depthwise 3x3 SAME stride 2: out 3x3, pads (H=5: total 2 -> 1,1; W=6: total 1 -> 0,1)
  const oh = Math.ceil(H / 2);
  const ow = Math.ceil(W / 2);
  const padTop = 1; // H=5: out 3, total pad 2 -> 1 before, 1 after
  const padLeft = 0; // W=6: out 3, total pad 1 -> 0 before, 1 after (TF puts the odd pixel after)
  const dw = new Nhwc(oh, ow, 4);
  for (let y = 0; y < oh; y++)
    for (let x = 0; x < ow; x++)
      for (let ch = 0; ch < 4; ch++) {
        let s = 0;
        for (let ky = 0; ky < 3; ky++)
          for (let kx = 0; kx < 3; kx++) {
            const v = conv.at(y * 2 + ky - padTop, x * 2 + kx - padLeft, ch);
            if (!Number.isNaN(v)) s += v * filterDw.data[(ky * 3 + kx) * 4 + ch];
          }
        dw.set(y, x, ch, s);
      }
  // maxpool 2x2 stride 2 SAME (padding ignored), add, channel pad (+2 zeros), relu6
  const out = new Nhwc(oh, ow, 6);
  for (let y = 0; y < oh; y++)
    for (let x = 0; x < ow; x++) {
      for (let ch = 0; ch < 4; ch++) {
        const cells = [
          conv.at(2 * y, 2 * x, ch),
          conv.at(2 * y, 2 * x + 1, ch),
          conv.at(2 * y + 1, 2 * x, ch),
          conv.at(2 * y + 1, 2 * x + 1, ch),
        ].filter((v) => !Number.isNaN(v));
        out.set(y, x, ch, Math.min(6, Math.max(0, dw.at(y, x, ch) + Math.max(...cells))));
      }
    }
  // flatten in NHWC order, dense + bias, softmax
  const logits = [0, 1, 2].map((j) => denseBias.data[j] + Array.from(out.data).reduce((s, v, k) => s + v * dense.data[k * 3 + j], 0));
  const m = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - m));
  return { probs: e.map((v) => v / e.reduce((a, b) => a + b, 0)), features: out.data };
}

describe('tfjs -> ONNX conversion of a synthetic graph', () => {
  it('computes what the TF ops compute, in NHWC at the interface, for every batch size', async () => {
    const converted = convertTfjsGraph(syntheticGraph(), { graphName: 'synthetic' });
    expect(converted.input).toMatchObject({ name: 'input', shape: ['batch', H, W, C] });
    expect(converted.outputs.map((o) => [o.name, o.tfName])).toEqual([
      ['output_0', 'Identity:0'],
      ['output_1', 'Identity_1:0'],
    ]);
    const session = await ort.InferenceSession.create(converted.bytes);
    const images = [0, 1].map(
      (k) =>
        new Nhwc(
          H,
          W,
          C,
          Float32Array.from({ length: H * W * C }, (_, i) => Math.sin(i * 1.3 + k) * 2),
        ),
    );
    const batch = new Float32Array(2 * H * W * C);
    images.forEach((img, k) => batch.set(img.data, k * H * W * C));
    const out = await session.run({ input: new ort.Tensor('float32', batch, [2, H, W, C]) });
    expect(out.output_1.dims).toEqual([2, 3, 3, 6]);
    images.forEach((img, k) => {
      const expected = reference(img);
      const probs = Array.from((out.output_0.data as Float32Array).slice(3 * k, 3 * k + 3));
      probs.forEach((p, j) => expect(p).toBeCloseTo(expected.probs[j], 5));
      const features = (out.output_1.data as Float32Array).slice(54 * k, 54 * (k + 1));
      features.forEach((v, j) => expect(v).toBeCloseTo(expected.features[j], 4));
    });
    await session.release();
  });

  it('is byte-for-byte deterministic', () => {
    const a = convertTfjsGraph(syntheticGraph(), { graphName: 'synthetic' }).bytes;
    const b = convertTfjsGraph(syntheticGraph(), { graphName: 'synthetic' }).bytes;
    expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).toBe(0);
  });

  it('refuses an unknown op and names it', () => {
    const graph = syntheticGraph();
    graph.nodes.find((n) => n.name === 'probs')!.op = 'FancyNewOp';
    expect(() => convertTfjsGraph(graph, { graphName: 'bad' })).toThrow(/Unsupported TF op "FancyNewOp" \(node "probs"\)/);
  });
});
