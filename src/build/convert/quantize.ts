// Static int8 quantization of a converted float ONNX model in QDQ form: every Conv's weights become int8 per output
// channel (symmetric) behind a DequantizeLinear, its bias int32, and each activation a Conv reads or writes gets one
// QuantizeLinear -> DequantizeLinear pair (uint8, asymmetric) with a range measured on calibration inputs.
// onnxruntime's QDQ fusion then runs those Convs as QLinearConv (int8 kernels, VNNI where the CPU has it).
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { CodedError } from '../../shared/errors';

const { onnx } = onnxProto;
type NodeProto = onnxProto.onnx.INodeProto;
type TensorProto = onnxProto.onnx.ITensorProto;
type ModelProto = onnxProto.onnx.IModelProto;

/** Activation tensor name -> [min, max] seen on the calibration inputs (pinned in the manifest). */
export type ActivationRanges = Record<string, [number, number]>;

export const QUANTIZATION_SCHEME =
  'qdq-int8: Conv weights int8 symmetric per output channel (7-bit range, as onnxruntime reduce_range), bias int32, Conv activations uint8 asymmetric (min/max calibration); head Convs (no Conv after them before an output) stay float';

const DT = onnx.TensorProto.DataType;
const QUANTIZED_OPS = new Set(['Conv']);
/**
 * Largest |int8 weight| (7 bits, onnxruntime's reduce_range): on AVX2 CPUs without VNNI, its u8 x s8 kernel sums two
 * products in a saturating int16 (255 x 127 x 2 overflows it, 255 x 63 x 2 does not), which wrecked outputs on AMD EPYC.
 */
const MAX_WEIGHT_INT = 63;
/** Largest |int32 bias| allowed (2^30: a factor 2 below overflow, for the accumulator's sum). */
const MAX_BIAS_INT = 2 ** 30;

function decode(bytes: Uint8Array): ModelProto {
  return onnx.ModelProto.decode(bytes);
}

/**
 * The Convs to quantize: every Conv whose output reaches a further Conv (a "head" Conv, whose output flows to a graph
 * output without another Conv, stays float: its output is the answer, and a uint8 step there would be visible in it).
 */
function bodyConvs(model: ModelProto): NodeProto[] {
  const nodes = model.graph?.node ?? [];
  const consumers = new Map<string, NodeProto[]>();
  for (const node of nodes) for (const input of node.input ?? []) consumers.set(input, [...(consumers.get(input) ?? []), node]);
  const reachesConv = new Map<string, boolean>();
  const leadsToConv = (tensor: string, seen = new Set<string>()): boolean => {
    const cached = reachesConv.get(tensor);
    if (cached !== undefined) return cached;
    if (seen.has(tensor)) return false;
    seen.add(tensor);
    let found = false;
    for (const next of consumers.get(tensor) ?? []) {
      if (QUANTIZED_OPS.has(next.opType ?? '') || (next.output ?? []).some((o) => leadsToConv(o, seen))) {
        found = true;
        break;
      }
    }
    reachesConv.set(tensor, found);
    return found;
  };
  return nodes.filter((n) => QUANTIZED_OPS.has(n.opType ?? '') && leadsToConv(n.output?.[0] ?? ''));
}

/** The activations a quantized model needs ranges for: each body Conv's input and output, in graph order. */
export function activationsToCalibrate(floatModel: Uint8Array): string[] {
  const names = new Set<string>();
  for (const conv of bodyConvs(decode(floatModel))) {
    names.add(conv.input?.[0] ?? '');
    names.add(conv.output?.[0] ?? '');
  }
  return [...names];
}

/** Min/max of every activation to quantize over the calibration inputs (each [1,h,w,c] NHWC float32). */
export async function calibrate(floatModel: Uint8Array, inputs: ort.Tensor[]): Promise<ActivationRanges> {
  const names = activationsToCalibrate(floatModel);
  const model = decode(floatModel);
  // Every activation becomes an extra graph output, so one run reports all of them.
  const extra = names.map((name) =>
    onnx.ValueInfoProto.create({ name, type: onnx.TypeProto.create({ tensorType: onnx.TypeProto.Tensor.create({ elemType: DT.FLOAT }) }) }),
  );
  model.graph!.output = [...(model.graph!.output ?? []), ...extra];
  const session = await ort.InferenceSession.create(onnx.ModelProto.encode(model).finish(), {
    graphOptimizationLevel: 'disabled',
    intraOpNumThreads: 1,
  });
  const ranges: ActivationRanges = Object.fromEntries(names.map((n) => [n, [Infinity, -Infinity]]));
  try {
    for (const input of inputs) {
      const out = await session.run({ [session.inputNames[0]]: input }, names);
      for (const name of names) {
        const data = out[name].data as Float32Array;
        const range = ranges[name];
        for (let i = 0; i < data.length; i++) {
          const v = data[i];
          if (v < range[0]) range[0] = v;
          if (v > range[1]) range[1] = v;
        }
      }
    }
  } finally {
    await session.release();
  }
  // Rounded to float32 precision in decimal, so the pinned JSON reproduces the same scales on every machine.
  for (const name of names) ranges[name] = ranges[name].map((v) => Number(Math.fround(v).toPrecision(7))) as [number, number];
  return ranges;
}

/** uint8 scale and zero point covering [min, max] and zero (zero must be exact: padding and ReLU outputs are zeros). */
export function activationParams([min, max]: [number, number]): { scale: number; zeroPoint: number } {
  const lo = Math.min(0, min);
  const hi = Math.max(0, max);
  const scale = Math.fround(hi > lo ? (hi - lo) / 255 : 1);
  const zeroPoint = Math.min(255, Math.max(0, Math.round(-lo / scale)));
  return { scale, zeroPoint };
}

function floatValues(tensor: TensorProto): Float32Array {
  if (tensor.dataType !== DT.FLOAT) throw new CodedError('INTERNAL', `Initializer ${tensor.name} is not float32.`);
  const raw = tensor.rawData;
  if (raw && raw.length) return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  return Float32Array.from(tensor.floatData ?? []);
}

const rawOf = (array: Float32Array | Int8Array | Uint8Array | Int32Array): Uint8Array =>
  new Uint8Array(array.buffer, array.byteOffset, array.byteLength).slice();

/**
 * The float model rewritten in QDQ form with the pinned activation ranges. Deterministic: same float bytes and
 * ranges -> same bytes, so the result is pinned by sha256 like any built model.
 */
export function quantizeQdq(floatModel: Uint8Array, ranges: ActivationRanges): Uint8Array {
  const model = decode(floatModel);
  const graph = model.graph!;
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const convs = new Set(bodyConvs(model));
  const newInitializers: TensorProto[] = [];
  const prologue: NodeProto[] = [];
  const addInit = (name: string, dataType: number, dims: number[], values: Float32Array | Int8Array | Uint8Array | Int32Array): string => {
    newInitializers.push(onnx.TensorProto.create({ name, dataType, dims, rawData: rawOf(values) }));
    return name;
  };
  /** Int8 weights or int32 bias quantized per output channel (axis 0, zero point 0) behind a DequantizeLinear; its output name. */
  const perChannelDequantized = (prefix: string, dims: number[], values: Int8Array | Int32Array, scales: Float32Array): string => {
    const [dataType, typeName, zeroPoints] =
      values instanceof Int8Array ? [DT.INT8, 'int8', new Int8Array(scales.length)] : [DT.INT32, 'int32', new Int32Array(scales.length)];
    const quantized = addInit(`${prefix}_${typeName}`, dataType, dims, values);
    const scale = addInit(`${prefix}_scale`, DT.FLOAT, [scales.length], scales);
    const zeroPoint = addInit(`${prefix}_zero_point`, dataType, [scales.length], zeroPoints);
    prologue.push(
      onnx.NodeProto.create({
        opType: 'DequantizeLinear',
        name: `${prefix}_dq`,
        input: [quantized, scale, zeroPoint],
        output: [`${prefix}_dq`],
        attribute: [onnx.AttributeProto.create({ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 })],
      }),
    );
    return `${prefix}_dq`;
  };

  // One Q -> DQ pair per activation, placed right after its producer; consumers read the dequantized copy.
  const activationQdq = new Map<string, { dq: string; scale: string; zeroPoint: string; scaleValue: number }>();
  const activations = [...convs].flatMap((c) => [c.input?.[0] ?? '', c.output?.[0] ?? '']);
  for (const name of activations) {
    if (activationQdq.has(name)) continue;
    const range = ranges[name];
    if (!range)
      throw new CodedError('MODEL_INTEGRITY', `No calibration range for activation "${name}"; recalibrate with build-models --calibrate.`);
    const { scale, zeroPoint } = activationParams(range);
    activationQdq.set(name, {
      dq: `${name}/dq`,
      scale: addInit(`${name}/scale`, DT.FLOAT, [], Float32Array.of(scale)),
      zeroPoint: addInit(`${name}/zero_point`, DT.UINT8, [], Uint8Array.of(zeroPoint)),
      scaleValue: scale,
    });
  }
  const qdqNodes = (name: string): NodeProto[] => {
    const q = activationQdq.get(name)!;
    return [
      onnx.NodeProto.create({
        opType: 'QuantizeLinear',
        name: `${name}/q`,
        input: [name, q.scale, q.zeroPoint],
        output: [`${name}/quantized`],
      }),
      onnx.NodeProto.create({
        opType: 'DequantizeLinear',
        name: `${name}/dq`,
        input: [`${name}/quantized`, q.scale, q.zeroPoint],
        output: [q.dq],
      }),
    ];
  };

  for (const conv of convs) {
    const [, weightName, biasName] = conv.input ?? [];
    const weight = initializers.get(weightName);
    if (!weight) throw new CodedError('INTERNAL', `Conv ${conv.name}: weight ${weightName} is not an initializer.`);
    const dims = (weight.dims ?? []).map(Number);
    const w = floatValues(weight);
    const channels = dims[0];
    const per = w.length / channels;
    const wScales = new Float32Array(channels);
    const wq = new Int8Array(w.length);
    const bias = biasName ? initializers.get(biasName) : undefined;
    const b = bias ? floatValues(bias) : undefined;
    const xScale = activationQdq.get(conv.input![0])!.scaleValue;
    for (let c = 0; c < channels; c++) {
      let maxAbs = 0;
      for (let i = c * per; i < (c + 1) * per; i++) maxAbs = Math.max(maxAbs, Math.abs(w[i]));
      // A channel with near-zero weights and a real bias: widen its scale so the int32 bias (b / (sx*sw)) cannot overflow.
      const biasFloor = b ? Math.abs(b[c]) / (xScale * MAX_BIAS_INT) : 0;
      const s = Math.fround(Math.max(maxAbs / MAX_WEIGHT_INT, biasFloor) || 1);
      wScales[c] = s;
      for (let i = c * per; i < (c + 1) * per; i++) wq[i] = Math.max(-MAX_WEIGHT_INT, Math.min(MAX_WEIGHT_INT, Math.round(w[i] / s)));
    }
    const base = conv.output?.[0] ?? conv.name ?? 'conv';
    const inputs = [activationQdq.get(conv.input![0])!.dq, perChannelDequantized(`${base}/w`, dims, wq, wScales)];
    if (biasName) {
      if (!b) throw new CodedError('INTERNAL', `Conv ${conv.name}: bias ${biasName} is not an initializer.`);
      const bScales = Float32Array.from(wScales, (s) => s * xScale);
      const bq = Int32Array.from(b, (v, c) => Math.round(v / bScales[c]));
      inputs.push(perChannelDequantized(`${base}/b`, [channels], bq, bScales));
    }
    conv.input = inputs;
  }

  // Rewire every other consumer of a quantized activation to its dequantized copy (the Convs already are).
  const nodes = graph.node ?? [];
  for (const node of nodes) {
    if (convs.has(node)) continue;
    node.input = (node.input ?? []).map((i) => activationQdq.get(i)?.dq ?? i);
  }
  const ordered: NodeProto[] = [...prologue];
  for (const input of graph.input ?? []) if (activationQdq.has(input.name ?? '')) ordered.push(...qdqNodes(input.name ?? ''));
  for (const node of nodes) {
    ordered.push(node);
    for (const output of node.output ?? []) if (activationQdq.has(output)) ordered.push(...qdqNodes(output));
  }
  // The float weights the quantized Convs replaced are no longer read by anything.
  const used = new Set(ordered.flatMap((n) => n.input ?? []));
  graph.initializer = [...(graph.initializer ?? []).filter((t) => used.has(t.name ?? '')), ...newInitializers];
  graph.node = ordered;
  // Graph outputs named like a quantized activation stay the float producer's tensor (never the case for body Convs).
  return onnx.ModelProto.encode(model).finish();
}
