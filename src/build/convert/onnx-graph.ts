// A small builder for ONNX graphs (nodes, initializers, typed inputs/outputs) serialised with onnx-proto.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export type AttrValue = number | number[] | string | { float: number } | { floats: number[] };

export interface InitializerData {
  dtype: 'float32' | 'int64';
  dims: number[];
  data: Float32Array | BigInt64Array;
}

/** A symbolic dim is a string (dim_param), a static one a number. */
export type Dim = number | string;

export class OnnxGraphBuilder {
  private readonly nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  private readonly initializers: InstanceType<typeof onnx.TensorProto>[] = [];
  private readonly initializerNames = new Set<string>();
  private readonly usedNames = new Set<string>();
  private readonly inputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  private readonly outputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];

  /** A tensor name not used yet, derived from `base` (deterministic: same graph -> same names). */
  uniqueName(base: string): string {
    let name = base;
    for (let k = 1; this.usedNames.has(name); k++) name = `${base}__${k}`;
    this.usedNames.add(name);
    return name;
  }

  hasInitializer(name: string): boolean {
    return this.initializerNames.has(name);
  }

  /** Adds an initializer once; a second call with the same name is a no-op that returns the name. */
  addInitializer(name: string, tensor: InitializerData): string {
    if (this.initializerNames.has(name)) return name;
    this.initializerNames.add(name);
    this.usedNames.add(name);
    const bytes = new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
    this.initializers.push(
      onnx.TensorProto.create({
        name,
        dims: tensor.dims,
        dataType: tensor.dtype === 'float32' ? onnx.TensorProto.DataType.FLOAT : onnx.TensorProto.DataType.INT64,
        // Copy: little-endian hosts only (x64/arm64), which is what rawData requires.
        rawData: Uint8Array.from(bytes),
      }),
    );
    return name;
  }

  addInt64(name: string, values: number[]): string {
    return this.addInitializer(name, { dtype: 'int64', dims: [values.length], data: BigInt64Array.from(values.map(BigInt)) });
  }

  addFloatScalar(name: string, value: number): string {
    return this.addInitializer(name, { dtype: 'float32', dims: [], data: Float32Array.of(value) });
  }

  /** Adds a node; returns its output names. */
  addNode(opType: string, inputs: string[], outputs: string[], attributes: Record<string, AttrValue> = {}, name?: string): string[] {
    const attribute = Object.entries(attributes).map(([key, value]) => toAttribute(key, value));
    this.nodes.push(onnx.NodeProto.create({ opType, input: inputs, output: outputs, name: name ?? outputs[0], attribute }));
    return outputs;
  }

  addInput(name: string, shape: Dim[]): void {
    this.usedNames.add(name);
    this.inputs.push(valueInfo(name, shape));
  }

  addOutput(name: string, shape: Dim[]): void {
    this.outputs.push(valueInfo(name, shape));
  }

  encode(meta: {
    graphName: string;
    producerName: string;
    producerVersion: string;
    opset: number;
    docString: string;
    metadata: Record<string, string>;
  }): Uint8Array {
    const graph = onnx.GraphProto.create({
      name: meta.graphName,
      node: this.nodes,
      initializer: this.initializers,
      input: this.inputs,
      output: this.outputs,
    });
    const model = onnx.ModelProto.create({
      irVersion: 7,
      opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: meta.opset })],
      producerName: meta.producerName,
      producerVersion: meta.producerVersion,
      docString: meta.docString,
      graph,
      metadataProps: Object.entries(meta.metadata).map(([key, value]) => onnx.StringStringEntryProto.create({ key, value })),
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function valueInfo(name: string, shape: Dim[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: onnx.TensorShapeProto.create({
          dim: shape.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })),
        }),
      }),
    }),
  });
}

function toAttribute(name: string, value: AttrValue) {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'number') return onnx.AttributeProto.create({ name, type: T.INT, i: value });
  if (typeof value === 'string') return onnx.AttributeProto.create({ name, type: T.STRING, s: new TextEncoder().encode(value) });
  if (Array.isArray(value)) return onnx.AttributeProto.create({ name, type: T.INTS, ints: value });
  if ('float' in value) return onnx.AttributeProto.create({ name, type: T.FLOAT, f: value.float });
  return onnx.AttributeProto.create({ name, type: T.FLOATS, floats: value.floats });
}
