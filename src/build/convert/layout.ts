// Pure layout arithmetic for the converter: weight re-layouts (TF -> ONNX), NHWC -> NCHW axes, TF SAME padding.
import type { ConstTensor } from './tfjs-graph';

/** Permutes a constant: output axis i is input axis perm[i] (numpy.transpose semantics). */
export function transposeConstant(tensor: ConstTensor, perm: number[]): ConstTensor {
  const rank = tensor.shape.length;
  if (perm.length !== rank) throw new Error(`transposeConstant: perm of rank ${perm.length} for a rank-${rank} tensor`);
  const inShape = tensor.shape;
  const outShape = perm.map((p) => inShape[p]);
  const inStrides = stridesOf(inShape);
  const outStrides = stridesOf(outShape);
  const size = tensor.data.length;
  const out = tensor.data instanceof Float32Array ? new Float32Array(size) : new Int32Array(size);
  for (let o = 0; o < size; o++) {
    let rem = o;
    let src = 0;
    for (let axis = 0; axis < rank; axis++) {
      const coord = Math.floor(rem / outStrides[axis]);
      rem -= coord * outStrides[axis];
      src += coord * inStrides[perm[axis]];
    }
    out[o] = tensor.data[src];
  }
  return { dtype: tensor.dtype, shape: outShape, data: out };
}

function stridesOf(shape: number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/** Conv2D filter HWIO [kh, kw, in, out] -> ONNX OIHW [out, in, kh, kw]. */
export function hwioToOihw(filter: ConstTensor): ConstTensor {
  return transposeConstant(filter, [3, 2, 0, 1]);
}

/**
 * Depthwise filter [kh, kw, C, M] -> grouped-Conv weight [C*M, 1, kh, kw] (group = C). TF's output channel c*M+m
 * is ONNX's output channel c*M+m, because grouped Conv's outputs are group-major.
 */
export function depthwiseToOnnx(filter: ConstTensor): ConstTensor {
  const [kh, kw, c, m] = filter.shape;
  const t = transposeConstant(filter, [2, 3, 0, 1]); // [C, M, kh, kw]
  return { dtype: t.dtype, shape: [c * m, 1, kh, kw], data: t.data };
}

/**
 * A constant that broadcasts against an NHWC tensor -> the same values broadcasting against the NCHW tensor:
 * right-align to rank 4 ([C] -> [1,1,1,C]) then move C in front of H, W ([1,C,1,1]).
 */
export function constantToNchw(tensor: ConstTensor): ConstTensor {
  if (tensor.shape.length > 4) throw new Error('constantToNchw: rank above 4');
  const padded: ConstTensor = { ...tensor, shape: [...new Array<number>(4 - tensor.shape.length).fill(1), ...tensor.shape] };
  return transposeConstant(padded, [0, 3, 1, 2]);
}

/** An NHWC axis (0..3) -> the same axis in NCHW. */
export function nchwAxis(nhwcAxis: number): number {
  return [0, 2, 3, 1][nhwcAxis];
}

/** TF SAME padding along one axis: [before, after], the odd pixel after (= ONNX SAME_UPPER). */
export function samePads(size: number, kernel: number, stride: number, dilation: number): [number, number] {
  const effective = (kernel - 1) * dilation + 1;
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + effective - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}
