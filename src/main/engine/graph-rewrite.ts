// Load-time rewrite of a verified ONNX model for onnxruntime's CPU kernels. The arithmetic is unchanged (outputs are
// bit-identical); only the operators that compute it differ.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type NodeProto = onnxProto.onnx.INodeProto;
type TensorProto = onnxProto.onnx.ITensorProto;

const FLOAT = 1;

function floatValues(t: TensorProto): Float32Array | null {
  if (t.dataType !== FLOAT) return null;
  if (t.floatData && t.floatData.length) return Float32Array.from(t.floatData);
  if (t.rawData && t.rawData.length) {
    const raw = t.rawData;
    return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  }
  return null;
}

/**
 * PRelu(x, a) -> Relu(x) + (-a) * Relu(-x).
 * onnxruntime's CPU PRelu is a per-element branch: on real images (signs that change from pixel to pixel) it runs
 * 2-3x slower than on smooth input, and dominates facemesh and iris. The expansion uses vectorised kernels and is
 * exact: for x > 0 it adds -0 to x, for x < 0 it adds a*x to 0 (negation is exact in IEEE arithmetic).
 * Returns the model unchanged when it has no PRelu with a constant slope.
 */
export function expandPRelu(bytes: Uint8Array): { bytes: Uint8Array; rewritten: number } {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph;
  if (!graph) return { bytes, rewritten: 0 };
  const initializerList = (graph.initializer ??= []);
  const initializers = new Map<string, TensorProto>(initializerList.map((t) => [t.name ?? '', t]));
  const nodes: NodeProto[] = [];
  let rewritten = 0;
  for (const node of graph.node ?? []) {
    const inputs = node.input ?? [];
    const slope = node.opType === 'PRelu' && inputs[1] ? initializers.get(inputs[1]) : undefined;
    const values = slope ? floatValues(slope) : null;
    if (!slope || !values) {
      nodes.push(node);
      continue;
    }
    const negatedName = `${slope.name}__negated`;
    if (!initializers.has(negatedName)) {
      const negated = onnx.TensorProto.create({
        name: negatedName,
        dims: slope.dims,
        dataType: FLOAT,
        rawData: new Uint8Array(values.map((v) => -v).buffer),
      });
      initializerList.push(negated);
      initializers.set(negatedName, negated);
    }
    const x = inputs[0];
    const out = (node.output ?? [])[0];
    const name = (suffix: string): string => `${out}__prelu_${suffix}`;
    nodes.push(
      onnx.NodeProto.create({ opType: 'Relu', input: [x], output: [name('pos')], name: name('relu_pos') }),
      onnx.NodeProto.create({ opType: 'Neg', input: [x], output: [name('negx')], name: name('neg') }),
      onnx.NodeProto.create({ opType: 'Relu', input: [name('negx')], output: [name('negpart')], name: name('relu_neg') }),
      onnx.NodeProto.create({ opType: 'Mul', input: [name('negpart'), negatedName], output: [name('scaled')], name: name('mul') }),
      onnx.NodeProto.create({ opType: 'Add', input: [name('pos'), name('scaled')], output: [out], name: name('add') }),
    );
    rewritten++;
  }
  if (!rewritten) return { bytes, rewritten: 0 };
  graph.node = nodes;
  // Drop the original slopes nothing reads any more (onnxruntime would warn about each).
  const used = new Set(nodes.flatMap((n) => n.input ?? []));
  graph.initializer = initializerList.filter((t) => used.has(t.name ?? ''));
  return { bytes: onnx.ModelProto.encode(model).finish(), rewritten };
}
