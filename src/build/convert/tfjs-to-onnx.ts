// tfjs graph model -> ONNX (opset 13). The external interface stays NHWC like tfjs; inside, 4-D tensors run in
// NCHW (what ONNX Conv/Pool want), tracked per tensor tf2onnx-style, with transposes only where TF semantics need them.
import { CodedError } from '../../shared/errors';
import { OnnxGraphBuilder, type Dim } from './onnx-graph';
import {
  attrBool,
  attrIntList,
  attrShape,
  attrString,
  attrStringList,
  readTfjsGraph,
  type ConstTensor,
  type TfjsGraph,
  type TfNode,
} from './tfjs-graph';
import { constantToNchw, depthwiseToOnnx, hwioToOihw, nchwAxis, samePads, transposeConstant } from './layout';

export const CONVERTER_VERSION = '1.2.0';
export const OPSET = 13;
export const INPUT_NAME = 'input';

/** A tensor of the TF graph: its TF (NHWC) shape, and the ONNX names that hold it in each layout. */
interface Value {
  /** TF-order shape; null = unknown (the batch dim is always null). */
  shape: (number | null)[];
  /** ONNX tensor in TF layout (NHWC for 4-D). */
  tf?: string;
  /** ONNX tensor in NCHW layout (4-D values only). */
  nchw?: string;
  constant?: ConstTensor;
}

export interface ConvertedTensorSpec {
  name: string;
  /** TF tensor this ONNX input/output corresponds to (e.g. "Identity_2:0"). */
  tfName: string;
  shape: Dim[];
}

export interface ConvertedModel {
  bytes: Uint8Array;
  input: ConvertedTensorSpec;
  outputs: ConvertedTensorSpec[];
}

export interface ConvertOptions {
  /** Graph name recorded in the ONNX file. */
  graphName: string;
  /** Free-form provenance recorded as ONNX metadata (keep it free of timestamps so the bytes stay pinned). */
  metadata?: Record<string, string>;
  /**
   * How TF Prelu is emitted. 'depthwise' (default): x + (1 - alpha) * Relu(-x) as two 1x1 depthwise Convs (weights
   * -1 with a Relu, then 1 - alpha with the Add), which onnxruntime fuses and keeps in its blocked NCHWc layout:
   * iris 6.3 -> 4.7 ms, facemesh 3.3 -> 2.7 ms on one core (scratch interleaved runs, README "Speed"); exact for
   * x >= 0, within 1e-4 of PRelu for x < 0 (one more rounding). 'decomposed': Relu(x) + (-alpha) * Relu(-x), exact
   * in IEEE arithmetic but its Neg and Mul have no NCHWc kernels, so every PRelu reorders the tensor out of and back
   * into the blocked layout. 'native': one ONNX PRelu node (no NCHWc kernel either; kept to prove they agree).
   * A PRelu on a tensor that is not 4-D is always decomposed.
   */
  prelu?: 'depthwise' | 'decomposed' | 'native';
}

export async function convertTfjsModel(modelJsonPath: string, options: ConvertOptions): Promise<ConvertedModel> {
  return convertTfjsGraph(await readTfjsGraph(modelJsonPath), options);
}

export function convertTfjsGraph(graph: TfjsGraph, options: ConvertOptions): ConvertedModel {
  return new Converter(graph).run(options);
}

const ELEMENTWISE: Record<string, string> = {
  Add: 'Add',
  AddV2: 'Add',
  Sub: 'Sub',
  Mul: 'Mul',
  RealDiv: 'Div',
  Maximum: 'Max',
  Minimum: 'Min',
};
const UNARY: Record<string, string> = { Relu: 'Relu', Sigmoid: 'Sigmoid', Tanh: 'Tanh', Elu: 'Elu', Exp: 'Exp' };

class Converter {
  private readonly b = new OnnxGraphBuilder();
  private readonly values = new Map<string, Value>();
  private readonly nodesByName: Map<string, TfNode>;

  private preluMode: NonNullable<ConvertOptions['prelu']> = 'depthwise';

  constructor(private readonly graph: TfjsGraph) {
    this.nodesByName = new Map(graph.nodes.map((n) => [n.name, n]));
  }

  run(options: ConvertOptions): ConvertedModel {
    this.preluMode = options.prelu ?? 'depthwise';
    const outputs = this.graphOutputs();
    const order = this.topologicalOrder(outputs.map((o) => refNode(o.tfName)));
    let input: ConvertedTensorSpec | undefined;
    for (const node of order) {
      if (node.op === 'Placeholder') {
        if (input)
          throw new CodedError(
            'INVALID_ARGUMENT',
            `The model has more than one input ("${input.tfName}", "${node.name}"); only one is supported.`,
          );
        input = this.placeholder(node);
      } else {
        this.convertNode(node);
      }
    }
    if (!input) throw new CodedError('INVALID_ARGUMENT', 'The model has no Placeholder input.');
    const outputSpecs = outputs.map(({ name, tfName }) => {
      const value = this.value(tfName);
      if (value.constant) throw new CodedError('INVALID_ARGUMENT', `Output "${tfName}" is a constant.`);
      const shape = value.shape.map((d, i): Dim => (d === null ? (i === 0 ? 'batch' : `${name}_dim${i}`) : d));
      this.b.addNode('Identity', [this.asTf(value)], [name], {}, `${name}/identity`);
      this.b.addOutput(name, shape);
      return { name, tfName, shape };
    });
    const bytes = this.b.encode({
      graphName: options.graphName,
      producerName: 'liveness-kiosk tfjs-to-onnx',
      producerVersion: CONVERTER_VERSION,
      opset: OPSET,
      docString: `Converted from a tfjs graph model. Input "${INPUT_NAME}" is NHWC float32 like the original.`,
      metadata: options.metadata ?? {},
    });
    return { bytes, input, outputs: outputSpecs };
  }

  /** Signature outputs (key -> tensor) when present; else Identity_k -> output_k; else sinks in graph order. */
  private graphOutputs(): { name: string; tfName: string }[] {
    const sig = this.graph.signature?.outputs;
    if (sig && Object.keys(sig).length > 0) {
      return Object.entries(sig).map(([key, spec]) => ({ name: sanitize(key), tfName: spec.name }));
    }
    const consumed = new Set(this.graph.nodes.flatMap((n) => n.input.map(refNode)));
    const sinks = this.graph.nodes.filter((n) => !consumed.has(n.name) && n.op !== 'Const' && n.op !== 'NoOp');
    const identities = sinks.filter((n) => /^Identity(_\d+)?$/.test(n.name));
    if (identities.length === sinks.length && sinks.length > 0) {
      const index = (n: TfNode) => Number(n.name.split('_')[1] ?? 0);
      return [...identities].sort((a, b) => index(a) - index(b)).map((n) => ({ name: `output_${index(n)}`, tfName: `${n.name}:0` }));
    }
    return sinks.map((n, i) => ({ name: `output_${i}`, tfName: `${n.name}:0` }));
  }

  /** Nodes reachable from the outputs, each after its inputs, in a deterministic order. */
  private topologicalOrder(outputNodes: string[]): TfNode[] {
    const order: TfNode[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (root: string) => {
      const stack: { name: string; next: number }[] = [{ name: root, next: 0 }];
      while (stack.length > 0) {
        const top = stack[stack.length - 1];
        const node = this.nodesByName.get(top.name);
        if (!node) throw new CodedError('INVALID_ARGUMENT', `The graph refers to a node "${top.name}" it does not define.`);
        if (top.next === 0) {
          if (state.get(top.name) === 'done') {
            stack.pop();
            continue;
          }
          state.set(top.name, 'visiting');
        }
        const inputs = node.input.filter((i) => !i.startsWith('^')).map(refNode);
        if (top.next < inputs.length) {
          const child = inputs[top.next++];
          const childState = state.get(child);
          if (childState === 'visiting') throw new CodedError('INVALID_ARGUMENT', `The graph has a cycle through "${child}".`);
          if (childState !== 'done') stack.push({ name: child, next: 0 });
        } else {
          state.set(top.name, 'done');
          order.push(node);
          stack.pop();
        }
      }
    };
    for (const name of outputNodes) visit(name);
    return order;
  }

  // ---- values and layouts -------------------------------------------------------------------------------------

  private value(ref: string): Value {
    const key = normalizeRef(ref);
    const value = this.values.get(key);
    if (!value) throw new CodedError('INVALID_ARGUMENT', `Tensor "${ref}" is used before it is defined.`);
    return value;
  }

  private setValue(node: TfNode, value: Value): void {
    this.values.set(`${node.name}:0`, value);
  }

  private constInput(node: TfNode, index: number, what: string): ConstTensor {
    const value = this.value(node.input[index]);
    if (!value.constant) {
      throw new CodedError('INVALID_ARGUMENT', `${node.op} "${node.name}": its ${what} must be a constant.`);
    }
    return value.constant;
  }

  /** The value as an ONNX tensor in TF layout, transposing NCHW back to NHWC when needed. */
  private asTf(value: Value): string {
    if (value.tf) return value.tf;
    if (value.constant) {
      value.tf = this.floatInitializer(this.b.uniqueName('const'), value.constant);
      return value.tf;
    }
    if (!value.nchw) throw new CodedError('INTERNAL', 'A tensor has no ONNX name.');
    value.tf = this.b.addNode('Transpose', [value.nchw], [this.b.uniqueName(`${value.nchw}/nhwc`)], { perm: [0, 2, 3, 1] })[0];
    return value.tf;
  }

  /** A 4-D value as an ONNX tensor in NCHW layout. */
  private asNchw(value: Value): string {
    if (value.nchw) return value.nchw;
    if (value.shape.length !== 4) throw new CodedError('INTERNAL', 'Only 4-D tensors have an NCHW layout.');
    if (value.constant) {
      value.nchw = this.floatInitializer(this.b.uniqueName('const/nchw'), transposeConstant(value.constant, [0, 3, 1, 2]));
      return value.nchw;
    }
    value.nchw = this.b.addNode('Transpose', [this.asTf(value)], [this.b.uniqueName(`${value.tf}/nchw`)], { perm: [0, 3, 1, 2] })[0];
    return value.nchw;
  }

  private floatInitializer(name: string, tensor: ConstTensor): string {
    if (tensor.dtype !== 'float32') throw new CodedError('INVALID_ARGUMENT', `Constant "${name}" is int32 where a float tensor is needed.`);
    return this.b.addInitializer(name, { dtype: 'float32', dims: tensor.shape, data: tensor.data as Float32Array });
  }

  private out(node: TfNode, suffix = ''): string {
    return this.b.uniqueName(node.name + suffix);
  }

  // ---- ops --------------------------------------------------------------------------------------------------

  private placeholder(node: TfNode): ConvertedTensorSpec {
    const dtype = node.attr.dtype?.type;
    const shape = attrShape(node, 'shape');
    if (dtype !== undefined && dtype !== 'DT_FLOAT')
      throw new CodedError('INVALID_ARGUMENT', `Input "${node.name}" is ${dtype}; only float32 inputs are supported.`);
    if (!shape || shape.length !== 4) throw new CodedError('INVALID_ARGUMENT', `Input "${node.name}" must be a 4-D NHWC image tensor.`);
    // The batch is always symbolic: graphs exported with batch 1 still compute each image independently.
    const tfShape = [null, ...shape.slice(1).map((d) => (d < 0 ? null : d))];
    const onnxShape: Dim[] = ['batch', ...shape.slice(1).map((d, i): Dim => (d < 0 ? ['height', 'width', 'channels'][i] : d))];
    this.b.addInput(INPUT_NAME, onnxShape);
    this.setValue(node, { shape: tfShape, tf: INPUT_NAME });
    return { name: INPUT_NAME, tfName: `${node.name}:0`, shape: onnxShape };
  }

  private convertNode(node: TfNode): void {
    const op = node.op;
    if (op === 'Const') return this.constant(node);
    if (op === 'Identity' || op === 'StopGradient') return this.setValue(node, this.value(node.input[0]));
    if (op === 'Conv2D' || op === '_FusedConv2D' || op === 'DepthwiseConv2dNative' || op === 'FusedDepthwiseConv2dNative')
      return this.conv(node);
    if (op in ELEMENTWISE) return this.elementwise(node, ELEMENTWISE[op]);
    if (op in UNARY) return this.unary(node, UNARY[op]);
    if (op === 'Relu6') return this.setValue(node, this.relu6(node, this.value(node.input[0])));
    if (op === 'Prelu') return this.prelu(node);
    if (op === 'MaxPool' || op === 'AvgPool') return this.pool(node);
    if (op === 'Pad') return this.pad(node);
    if (op === 'Reshape') return this.reshape(node);
    if (op === 'MatMul' || op === '_FusedMatMul') return this.matmul(node);
    if (op === 'Softmax') return this.softmax(node);
    if (op === 'ConcatV2') return this.concat(node);
    if (op === 'Mean') return this.mean(node);
    throw new CodedError(
      'INVALID_ARGUMENT',
      `Unsupported TF op "${op}" (node "${node.name}"): the converter does not know how to translate it.`,
    );
  }

  private constant(node: TfNode): void {
    const tensor = this.graph.weights.get(node.name);
    if (!tensor) throw new CodedError('INVALID_ARGUMENT', `Const "${node.name}" has no weight data in the shards.`);
    this.setValue(node, { shape: [...tensor.shape], constant: tensor });
  }

  private conv(node: TfNode): void {
    const x = this.value(node.input[0]);
    const filter = this.constInput(node, 1, 'filter');
    const depthwise = node.op.includes('Depthwise');
    assertNhwc(node);
    if (x.shape.length !== 4) throw new CodedError('INVALID_ARGUMENT', `${node.op} "${node.name}" needs a 4-D input.`);
    const [kh, kw, cin, cmul] = filter.shape;
    const strides = spatial(attrIntList(node, 'strides'), 1);
    const dilations = spatial(attrIntList(node, 'dilations'), 1);
    const weight = depthwise
      ? this.floatInitializer(this.b.uniqueName(`${node.input[1]}/dw_oihw`), depthwiseToOnnx(filter))
      : this.floatInitializer(this.b.uniqueName(`${node.input[1]}/oihw`), hwioToOihw(filter));
    const fused = attrStringList(node, 'fused_ops');
    const [biasOp, activation, ...rest] = fused;
    if (rest.length > 0 || (biasOp !== undefined && biasOp !== 'BiasAdd')) {
      throw new CodedError('INVALID_ARGUMENT', `${node.op} "${node.name}": unsupported fused_ops [${fused.join(', ')}].`);
    }
    const inputs = [this.asNchw(x), weight];
    if (biasOp === 'BiasAdd')
      inputs.push(this.floatInitializer(this.b.uniqueName(`${node.input[2]}/bias`), this.constInput(node, 2, 'bias')));
    const { pads, outH, outW, autoPad } = this.spatialPadding(node, x, [kh, kw], strides, dilations);
    const attributes: Record<string, number | number[] | string> = {
      kernel_shape: [kh, kw],
      strides,
      dilations,
      group: depthwise ? cin : 1,
    };
    if (autoPad) attributes.auto_pad = autoPad;
    else attributes.pads = pads;
    const convOut = this.b.addNode('Conv', inputs, [this.out(node, activation ? '/conv' : '')], attributes)[0];
    const shape = [null, outH, outW, depthwise ? cin * cmul : cmul];
    const convValue: Value = { shape, nchw: convOut };
    if (!activation) return this.setValue(node, convValue);
    this.setValue(node, this.activation(node, activation, convValue, 3));
  }

  /** Applies a fused activation; `alphaIndex` is where a Prelu alpha sits among the node's inputs. */
  private activation(node: TfNode, name: string, x: Value, alphaIndex: number): Value {
    if (name === 'Relu' || name === 'Elu' || name === 'Sigmoid' || name === 'Tanh') {
      return this.layoutPreserving(x, (input) => this.b.addNode(name, [input], [this.out(node)])[0]);
    }
    if (name === 'Relu6') return this.relu6(node, x);
    if (name === 'LeakyRelu') {
      const alpha = node.attr.leakyrelu_alpha?.f ?? 0.2;
      return this.layoutPreserving(x, (input) => this.b.addNode('LeakyRelu', [input], [this.out(node)], { alpha: { float: alpha } })[0]);
    }
    if (name === 'Prelu') return this.preluValue(node, x, this.constInput(node, alphaIndex, 'Prelu alpha'));
    throw new CodedError('INVALID_ARGUMENT', `${node.op} "${node.name}": unsupported fused activation "${name}".`);
  }

  private relu6(node: TfNode, x: Value): Value {
    const lo = this.b.addFloatScalar('const/zero', 0);
    const hi = this.b.addFloatScalar('const/six', 6);
    return this.layoutPreserving(x, (input) => this.b.addNode('Clip', [input, lo, hi], [this.out(node)])[0]);
  }

  /** Runs a layout-agnostic op in whichever layout the value already has (NCHW first). */
  private layoutPreserving(x: Value, make: (input: string) => string): Value {
    if (x.nchw) return { shape: [...x.shape], nchw: make(x.nchw) };
    return { shape: [...x.shape], tf: make(this.asTf(x)) };
  }

  private unary(node: TfNode, onnxOp: string): void {
    this.setValue(
      node,
      this.layoutPreserving(this.value(node.input[0]), (input) => this.b.addNode(onnxOp, [input], [this.out(node)])[0]),
    );
  }

  private prelu(node: TfNode): void {
    this.setValue(node, this.preluValue(node, this.value(node.input[0]), this.constInput(node, 1, 'alpha')));
  }

  private preluValue(node: TfNode, x: Value, alpha: ConstTensor): Value {
    if (x.shape.length === 4 && alpha.shape.length <= 4) {
      return { shape: [...x.shape], nchw: this.emitPrelu(node, this.asNchw(x), constantToNchw(alpha), 'alpha_nchw') };
    }
    return { shape: [...x.shape], tf: this.emitPrelu(node, this.asTf(x), alpha, 'alpha') };
  }

  /** PRelu(x, alpha) as one node, as two depthwise Convs, or as Relu(x) + (-alpha) * Relu(-x) (see ConvertOptions.prelu). */
  private emitPrelu(node: TfNode, x: string, alpha: ConstTensor, tag: string): string {
    const out = this.out(node);
    if (this.preluMode === 'native') {
      const slope = this.floatInitializer(this.b.uniqueName(`${node.name}/${tag}`), alpha);
      return this.b.addNode('PRelu', [x, slope], [out])[0];
    }
    if (this.preluMode === 'depthwise' && tag === 'alpha_nchw') return this.emitDepthwisePrelu(node, x, alpha, out);
    // Negation is exact, so for x > 0 this adds -0 to x and for x < 0 it adds alpha*x to 0: bit-identical to PRelu.
    const negated: ConstTensor = { ...alpha, data: Float32Array.from(alpha.data as Float32Array, (v) => -v) };
    const slope = this.floatInitializer(this.b.uniqueName(`${node.name}/${tag}_negated`), negated);
    const name = (part: string) => this.b.uniqueName(`${out}/prelu_${part}`);
    const positive = this.b.addNode('Relu', [x], [name('pos')])[0];
    const minusX = this.b.addNode('Neg', [x], [name('neg')])[0];
    const negative = this.b.addNode('Relu', [minusX], [name('negpart')])[0];
    const scaled = this.b.addNode('Mul', [negative, slope], [name('scaled')])[0];
    return this.b.addNode('Add', [positive, scaled], [out])[0];
  }

  /** x + (1 - alpha) * Relu(-x) on an NCHW tensor: for x < 0 that is alpha * x, for x >= 0 it is x exactly. */
  private emitDepthwisePrelu(node: TfNode, x: string, alpha: ConstTensor, out: string): string {
    const channels = alpha.data.length;
    const perChannel = (tag: string, values: Float32Array): string =>
      this.floatInitializer(this.b.uniqueName(`${node.name}/${tag}`), { dtype: 'float32', shape: [channels, 1, 1, 1], data: values });
    const depthwise = { group: channels, kernel_shape: [1, 1] };
    const name = (part: string) => this.b.uniqueName(`${out}/prelu_${part}`);
    const negatedX = this.b.addNode('Conv', [x, perChannel('minus_one', new Float32Array(channels).fill(-1))], [name('neg')], depthwise)[0];
    const negativePart = this.b.addNode('Relu', [negatedX], [name('negpart')])[0];
    const slope = perChannel(
      'one_minus_alpha',
      Float32Array.from(alpha.data, (v) => 1 - v),
    );
    const scaled = this.b.addNode('Conv', [negativePart, slope], [name('scaled')], depthwise)[0];
    return this.b.addNode('Add', [x, scaled], [out])[0];
  }

  private elementwise(node: TfNode, onnxOp: string): void {
    const a = this.value(node.input[0]);
    const b = this.value(node.input[1]);
    const shape = broadcastShapes(a.shape, b.shape);
    const nonConst = [a, b].filter((v) => !v.constant);
    // NCHW when the result is 4-D and every non-constant operand is a 4-D tensor (constants are re-laid out).
    const useNchw = shape.length === 4 && nonConst.length > 0 && nonConst.every((v) => v.shape.length === 4);
    const operand = (v: Value, tag: string): string => {
      if (!useNchw) return this.asTf(v);
      if (v.constant) return this.floatInitializer(this.b.uniqueName(`${node.name}/${tag}_nchw`), constantToNchw(v.constant));
      return this.asNchw(v);
    };
    const output = this.b.addNode(onnxOp, [operand(a, 'a'), operand(b, 'b')], [this.out(node)])[0];
    this.setValue(node, useNchw ? { shape, nchw: output } : { shape, tf: output });
  }

  private pool(node: TfNode): void {
    const x = this.value(node.input[0]);
    assertNhwc(node);
    const kernel = spatial(attrIntList(node, 'ksize'), 1);
    const strides = spatial(attrIntList(node, 'strides'), 1);
    const { pads, outH, outW, autoPad } = this.spatialPadding(node, x, kernel, strides, [1, 1]);
    const attributes: Record<string, number | number[] | string> = { kernel_shape: kernel, strides };
    if (autoPad) attributes.auto_pad = autoPad;
    else attributes.pads = pads;
    // TF's AvgPool averages over the valid cells only, ONNX's default (count_include_pad=0) does the same.
    const output = this.b.addNode(node.op === 'MaxPool' ? 'MaxPool' : 'AveragePool', [this.asNchw(x)], [this.out(node)], attributes)[0];
    this.setValue(node, { shape: [null, outH, outW, x.shape[3]], nchw: output });
  }

  /** TF SAME/VALID/EXPLICIT padding as explicit ONNX pads [top, left, bottom, right] from static shapes. */
  private spatialPadding(node: TfNode, x: Value, kernel: number[], strides: number[], dilations: number[]) {
    const padding = attrString(node, 'padding') ?? 'VALID';
    const [inH, inW] = [x.shape[1], x.shape[2]];
    const effective = kernel.map((k, i) => (k - 1) * dilations[i] + 1);
    if (padding === 'EXPLICIT') {
      const p = attrIntList(node, 'explicit_paddings');
      const pads = [p[2], p[4], p[3], p[5]];
      const out = (size: number | null, i: number) =>
        size === null ? null : Math.floor((size + pads[i] + pads[i + 2] - effective[i]) / strides[i]) + 1;
      return { pads, outH: out(inH, 0), outW: out(inW, 1), autoPad: undefined };
    }
    if (padding === 'VALID') {
      const out = (size: number | null, i: number) => (size === null ? null : Math.ceil((size - effective[i] + 1) / strides[i]));
      return { pads: [0, 0, 0, 0], outH: out(inH, 0), outW: out(inW, 1), autoPad: undefined };
    }
    if (padding !== 'SAME') throw new CodedError('INVALID_ARGUMENT', `${node.op} "${node.name}": unsupported padding "${padding}".`);
    const out = (size: number | null, i: number) => (size === null ? null : Math.ceil(size / strides[i]));
    if (inH === null || inW === null) return { pads: [], outH: out(inH, 0), outW: out(inW, 1), autoPad: 'SAME_UPPER' };
    const [top, bottom] = samePads(inH, kernel[0], strides[0], dilations[0]);
    const [left, right] = samePads(inW, kernel[1], strides[1], dilations[1]);
    return { pads: [top, left, bottom, right], outH: out(inH, 0), outW: out(inW, 1), autoPad: undefined };
  }

  private pad(node: TfNode): void {
    const x = this.value(node.input[0]);
    const paddings = this.constInput(node, 1, 'paddings');
    if (node.input.length > 2) throw new CodedError('INVALID_ARGUMENT', `Pad "${node.name}": only zero padding is supported.`);
    const rank = x.shape.length;
    const pairs = Array.from({ length: rank }, (_, i) => [Number(paddings.data[2 * i]), Number(paddings.data[2 * i + 1])]);
    const shape = x.shape.map((d, i) => (d === null ? null : d + pairs[i][0] + pairs[i][1]));
    const channelsOnly = rank === 4 && pairs.slice(0, 3).every(([a, b]) => a === 0 && b === 0);
    if (channelsOnly && x.shape[3] !== null)
      return this.setValue(node, { shape, nchw: this.channelPadConv(node, x, x.shape[3], pairs[3]) });
    if (rank === 4) {
      const order = [0, 3, 1, 2]; // NCHW position -> TF axis
      const pads = this.b.addInt64(this.b.uniqueName(`${node.name}/pads`), [
        ...order.map((a) => pairs[a][0]),
        ...order.map((a) => pairs[a][1]),
      ]);
      this.setValue(node, { shape, nchw: this.b.addNode('Pad', [this.asNchw(x), pads], [this.out(node)], { mode: 'constant' })[0] });
      return;
    }
    const pads = this.b.addInt64(this.b.uniqueName(`${node.name}/pads`), [...pairs.map((p) => p[0]), ...pairs.map((p) => p[1])]);
    this.setValue(node, { shape, tf: this.b.addNode('Pad', [this.asTf(x), pads], [this.out(node)], { mode: 'constant' })[0] });
  }

  /**
   * Zero channels added before and after as a 1x1 Conv whose weights copy each input channel (exact: 1 * x plus
   * zeros). BlazeBlocks pad their skip path this way; onnxruntime has no blocked-layout Pad, so a Pad node would
   * move the tensor out of its NCHWc layout and back around every such block.
   */
  private channelPadConv(node: TfNode, x: Value, channels: number, [before, after]: number[]): string {
    const outChannels = before + channels + after;
    const weights = new Float32Array(outChannels * channels);
    for (let c = 0; c < channels; c++) weights[(before + c) * channels + c] = 1;
    const w = this.floatInitializer(this.b.uniqueName(`${node.name}/copy_channels`), {
      dtype: 'float32',
      shape: [outChannels, channels, 1, 1],
      data: weights,
    });
    return this.b.addNode('Conv', [this.asNchw(x), w], [this.out(node)], { kernel_shape: [1, 1] })[0];
  }

  private reshape(node: TfNode): void {
    const x = this.value(node.input[0]);
    const target = Array.from(this.constInput(node, 1, 'shape').data, Number);
    const rest = (dims: number[]) => dims.reduce((a, d) => a * d, 1);
    const inputRest = x.shape.slice(1);
    // Keep the batch symbolic: a leading 1 or -1 that maps dim 0 to dim 0 becomes 0 ("copy input dim 0").
    if (
      x.shape[0] === null &&
      inputRest.every((d) => d !== null) &&
      (target[0] === 1 || target[0] === -1) &&
      target.slice(1).every((d) => d > 0) &&
      rest(target.slice(1)) === rest(inputRest)
    ) {
      target[0] = 0;
    }
    const known = x.shape.every((d) => d !== null) ? rest(x.shape) : null;
    const shape = target.map((d, i): number | null => {
      if (d === 0) return x.shape[i];
      if (d > 0) return d;
      const others = rest(target.filter((t, j) => j !== i && t > 0));
      return known === null ? null : known / others;
    });
    const shapeName = this.b.addInt64(this.b.uniqueName(`${node.name}/shape`), target);
    this.setValue(node, { shape, tf: this.b.addNode('Reshape', [this.asTf(x), shapeName], [this.out(node)])[0] });
  }

  private matmul(node: TfNode): void {
    const a = this.value(node.input[0]);
    const bValue = this.value(node.input[1]);
    if (a.shape.length !== 2 || bValue.shape.length !== 2)
      throw new CodedError('INVALID_ARGUMENT', `${node.op} "${node.name}": only 2-D matrices are supported.`);
    const transA = attrBool(node, 'transpose_a') ? 1 : 0;
    const transB = attrBool(node, 'transpose_b') ? 1 : 0;
    const fused = attrStringList(node, 'fused_ops');
    const [biasOp, activation, ...rest] = fused;
    if (rest.length > 0 || (biasOp !== undefined && biasOp !== 'BiasAdd')) {
      throw new CodedError('INVALID_ARGUMENT', `${node.op} "${node.name}": unsupported fused_ops [${fused.join(', ')}].`);
    }
    const inputs = [
      this.asTf(a),
      bValue.constant ? this.floatInitializer(this.b.uniqueName(`${node.input[1]}/w`), bValue.constant) : this.asTf(bValue),
    ];
    if (biasOp === 'BiasAdd')
      inputs.push(this.floatInitializer(this.b.uniqueName(`${node.input[2]}/bias`), this.constInput(node, 2, 'bias')));
    const output = this.b.addNode('Gemm', inputs, [this.out(node, activation ? '/gemm' : '')], { transA, transB })[0];
    const shape = [a.shape[transA ? 1 : 0], bValue.shape[transB ? 0 : 1]];
    const value: Value = { shape, tf: output };
    this.setValue(node, activation ? this.activation(node, activation, value, 3) : value);
  }

  private softmax(node: TfNode): void {
    const x = this.value(node.input[0]);
    // TF softmax is over the last axis in TF layout.
    this.setValue(node, { shape: [...x.shape], tf: this.b.addNode('Softmax', [this.asTf(x)], [this.out(node)], { axis: -1 })[0] });
  }

  private concat(node: TfNode): void {
    const parts = node.input
      .slice(0, -1)
      .filter((i) => !i.startsWith('^'))
      .map((i) => this.value(i));
    const axisConst = this.constInput(node, parts.length, 'axis');
    const rank = parts[0].shape.length;
    const axis = (Number(axisConst.data[0]) + rank) % rank;
    const shape = parts[0].shape.map((d, i) =>
      i !== axis ? d : parts.reduce<number | null>((sum, p) => (sum === null || p.shape[i] === null ? null : sum + p.shape[i]), 0),
    );
    if (rank === 4 && parts.some((p) => !p.constant)) {
      const inputs = parts.map((p) => this.asNchw(p));
      this.setValue(node, { shape, nchw: this.b.addNode('Concat', inputs, [this.out(node)], { axis: nchwAxis(axis) })[0] });
      return;
    }
    this.setValue(node, {
      shape,
      tf: this.b.addNode(
        'Concat',
        parts.map((p) => this.asTf(p)),
        [this.out(node)],
        { axis },
      )[0],
    });
  }

  private mean(node: TfNode): void {
    const x = this.value(node.input[0]);
    const rank = x.shape.length;
    const axes = [...new Set(Array.from(this.constInput(node, 1, 'reduction_indices').data, (a) => (Number(a) + rank) % rank))].sort();
    const keep = attrBool(node, 'keep_dims');
    const shape = keep ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
    if (rank === 4) {
      const nchwOrder = [0, 3, 1, 2];
      const remainingNchw = nchwOrder.filter((a) => !axes.includes(a));
      const remainingTf = [0, 1, 2, 3].filter((a) => !axes.includes(a));
      // Reduce in NCHW when the result's axis order is the same as TF's (e.g. global average pooling over H, W).
      if (keep || remainingNchw.join() === remainingTf.join()) {
        const output = this.b.addNode('ReduceMean', [this.asNchw(x)], [this.out(node)], {
          axes: axes.map(nchwAxis),
          keepdims: keep ? 1 : 0,
        })[0];
        this.setValue(node, keep ? { shape, nchw: output } : { shape, tf: output });
        return;
      }
    }
    this.setValue(node, { shape, tf: this.b.addNode('ReduceMean', [this.asTf(x)], [this.out(node)], { axes, keepdims: keep ? 1 : 0 })[0] });
  }
}

function assertNhwc(node: TfNode): void {
  const format = attrString(node, 'data_format');
  if (format !== undefined && format !== 'NHWC')
    throw new CodedError('INVALID_ARGUMENT', `${node.op} "${node.name}": data_format ${format} is not supported (NHWC only).`);
}

/** [1, h, w, 1] attribute -> [h, w]. */
function spatial(values: number[], fallback: number): number[] {
  return values.length === 4 ? [values[1], values[2]] : [fallback, fallback];
}

function broadcastShapes(a: (number | null)[], b: (number | null)[]): (number | null)[] {
  const rank = Math.max(a.length, b.length);
  // Right-aligned; a missing leading dim is 1; null (unknown, e.g. the batch) wins over 1.
  const dim = (s: (number | null)[], i: number) => (i < rank - s.length ? 1 : s[i - (rank - s.length)]);
  return Array.from({ length: rank }, (_, i) => {
    const x = dim(a, i);
    const y = dim(b, i);
    if (x === null || y === null) return x === null ? (y === 1 || y === null ? null : y) : x === 1 ? null : x;
    return Math.max(x, y);
  });
}

function refNode(ref: string): string {
  return ref.replace(/^\^/, '').split(':')[0];
}

function normalizeRef(ref: string): string {
  const [name, index] = ref.split(':');
  return `${name}:${index ?? 0}`;
}

function sanitize(key: string): string {
  return key.replace(/:0$/, '').replace(/[^A-Za-z0-9_]/g, '_');
}
