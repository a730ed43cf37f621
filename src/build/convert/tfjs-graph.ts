// Reads a tfjs graph model (model.json + weight shards) into plain nodes and decoded constant tensors.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CodedError } from '../../shared/errors';

export type TfDtype = 'float32' | 'int32';

/** A decoded constant: TF (NHWC) shape, float32 or int32 values. */
export interface ConstTensor {
  dtype: TfDtype;
  shape: number[];
  data: Float32Array | Int32Array;
}

/** One attribute of a TF NodeDef as tfjs stores it in model.json. */
export interface TfAttr {
  s?: string;
  i?: string | number;
  f?: number;
  b?: boolean;
  type?: string;
  list?: { s?: string[]; i?: (string | number)[]; f?: number[] };
  shape?: { dim?: { size?: string | number }[]; unknownRank?: boolean };
}

export interface TfNode {
  name: string;
  op: string;
  input: string[];
  attr: Record<string, TfAttr>;
}

export interface TfSignatureTensor {
  name: string;
  dtype?: string;
  tensorShape?: { dim?: { size?: string | number }[] };
}

export interface TfjsGraph {
  nodes: TfNode[];
  weights: Map<string, ConstTensor>;
  /** Top-level `signature` of model.json (absent on older exports). */
  signature?: { inputs?: Record<string, TfSignatureTensor>; outputs?: Record<string, TfSignatureTensor> };
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number; original_dtype?: string };
}

interface ModelJson {
  format?: string;
  modelTopology?: { node?: TfNode[] };
  weightsManifest?: { paths: string[]; weights: WeightSpec[] }[];
  signature?: TfjsGraph['signature'];
}

/** The files a model.json refers to: itself first, then its shards in manifest order. */
export async function listModelFiles(modelJsonPath: string): Promise<string[]> {
  const json = await readModelJson(modelJsonPath);
  return [path.basename(modelJsonPath), ...(json.weightsManifest ?? []).flatMap((group) => group.paths)];
}

async function readModelJson(modelJsonPath: string): Promise<ModelJson> {
  let json: ModelJson;
  try {
    json = JSON.parse(await readFile(modelJsonPath, 'utf8')) as ModelJson;
  } catch (err) {
    throw new CodedError('MODEL_MISSING', `Cannot read the tfjs model ${modelJsonPath}: ${(err as Error).message}`, { cause: err });
  }
  if (json.format !== 'graph-model' || !json.modelTopology?.node || !json.weightsManifest) {
    throw new CodedError('INVALID_ARGUMENT', `${modelJsonPath} is not a tfjs graph model (format "${json.format}").`);
  }
  return json;
}

export async function readTfjsGraph(modelJsonPath: string): Promise<TfjsGraph> {
  const json = await readModelJson(modelJsonPath);
  const dir = path.dirname(modelJsonPath);
  const weights = new Map<string, ConstTensor>();
  for (const group of json.weightsManifest ?? []) {
    const shards = await Promise.all(group.paths.map((p) => readFile(path.join(dir, p))));
    const bytes = Buffer.concat(shards);
    let offset = 0;
    for (const spec of group.weights) {
      const { tensor, byteLength } = decodeWeight(spec, bytes, offset);
      weights.set(spec.name, tensor);
      offset += byteLength;
    }
    if (offset !== bytes.length) {
      throw new CodedError(
        'MODEL_INTEGRITY',
        `Weight shards of ${modelJsonPath} hold ${bytes.length} bytes, the manifest describes ${offset}.`,
      );
    }
  }
  const nodes = (json.modelTopology?.node ?? []).map((n) => ({ name: n.name, op: n.op, input: n.input ?? [], attr: n.attr ?? {} }));
  return { nodes, weights, signature: json.signature };
}

const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4, float16: 2, uint8: 1, uint16: 2 };

/** Decodes one weight at `offset`; quantized weights are dequantized exactly as tfjs does. */
export function decodeWeight(spec: WeightSpec, bytes: Uint8Array, offset: number): { tensor: ConstTensor; byteLength: number } {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const storedDtype = spec.quantization?.dtype ?? spec.dtype;
  const width = BYTES_PER_ELEMENT[storedDtype];
  if (!width || (spec.dtype !== 'float32' && spec.dtype !== 'int32')) {
    throw new CodedError('INVALID_ARGUMENT', `Weight "${spec.name}" has an unsupported dtype ${spec.dtype}/${storedDtype}.`);
  }
  const byteLength = size * width;
  if (offset + byteLength > bytes.length) {
    throw new CodedError('MODEL_INTEGRITY', `Weight "${spec.name}" runs past the end of its shard.`);
  }
  const shape = [...spec.shape];
  if (spec.dtype === 'int32') {
    if (spec.quantization) throw new CodedError('INVALID_ARGUMENT', `Quantized int32 weight "${spec.name}" is not supported.`);
    const data = new Int32Array(size);
    for (let i = 0; i < size; i++) data[i] = view.getInt32(offset + 4 * i, true);
    return { tensor: { dtype: 'int32', shape, data }, byteLength };
  }
  const data = new Float32Array(size);
  const q = spec.quantization;
  if (!q) {
    for (let i = 0; i < size; i++) data[i] = view.getFloat32(offset + 4 * i, true);
  } else if (q.dtype === 'float16') {
    for (let i = 0; i < size; i++) data[i] = halfToFloat(view.getUint16(offset + 2 * i, true));
  } else {
    // Affine uint8/uint16 quantization: value = q * scale + min (tfjs's formula).
    const scale = q.scale ?? 1;
    const min = q.min ?? 0;
    for (let i = 0; i < size; i++) {
      const stored = q.dtype === 'uint8' ? view.getUint8(offset + i) : view.getUint16(offset + 2 * i, true);
      data[i] = stored * scale + min;
    }
  }
  return { tensor: { dtype: 'float32', shape, data }, byteLength };
}

/** IEEE 754 binary16 -> number; exact for every half value, subnormals and infinities included. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** Attribute helpers: tfjs stores strings base64-encoded and int64s as strings. */
export function attrString(node: TfNode, key: string): string | undefined {
  const value = node.attr[key]?.s;
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
}

export function attrStringList(node: TfNode, key: string): string[] {
  return (node.attr[key]?.list?.s ?? []).map((s) => Buffer.from(s, 'base64').toString('utf8'));
}

export function attrIntList(node: TfNode, key: string): number[] {
  return (node.attr[key]?.list?.i ?? []).map((i) => Number(i));
}

export function attrInt(node: TfNode, key: string): number | undefined {
  const value = node.attr[key]?.i;
  return value === undefined ? undefined : Number(value);
}

export function attrBool(node: TfNode, key: string): boolean {
  return node.attr[key]?.b === true;
}

/** Placeholder shape; -1 (or a missing size) is an unknown dim. */
export function attrShape(node: TfNode, key: string): number[] | undefined {
  const dims = node.attr[key]?.shape?.dim;
  return dims?.map((d) => (d.size === undefined ? -1 : Number(d.size)));
}
