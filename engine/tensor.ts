// Tensors: a shape and a flat row-major buffer. Float tensors run in float32 in
// production; every kernel also accepts float64 so gradient checks can run in float64.
// Integer tensors (ONNX int64 shape plumbing) hold exact integers in a Float64Array.

export type FloatArray = Float32Array | Float64Array;
export type FloatArrayConstructor = Float32ArrayConstructor | Float64ArrayConstructor;

export type Shape = readonly number[];

export interface FloatTensor {
  readonly dtype: 'float32';
  readonly shape: Shape;
  readonly data: FloatArray;
}

export interface IntTensor {
  readonly dtype: 'int64';
  readonly shape: Shape;
  /** Exact integers (|x| < 2^53); int64 extremes such as INT64_MAX round, which only ever serves as "to the end". */
  readonly data: Float64Array;
}

export type Tensor = FloatTensor | IntTensor;

/** Number of elements of a shape; the empty shape is a scalar with one element. */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a shape. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function floatTensor(shape: Shape, data?: FloatArray | ArrayLike<number>, ctor: FloatArrayConstructor = Float32Array): FloatTensor {
  const n = sizeOf(shape);
  const buf = data === undefined ? new ctor(n) : data instanceof Float32Array || data instanceof Float64Array ? data : ctor.from(data);
  if (buf.length !== n) throw new Error(`tensor of shape [${shape.join(', ')}] needs ${n} values, got ${buf.length}`);
  return { dtype: 'float32', shape: [...shape], data: buf };
}

export function intTensor(shape: Shape, data?: ArrayLike<number>): IntTensor {
  const n = sizeOf(shape);
  const buf = data === undefined ? new Float64Array(n) : Float64Array.from(data);
  if (buf.length !== n) throw new Error(`int tensor of shape [${shape.join(', ')}] needs ${n} values, got ${buf.length}`);
  return { dtype: 'int64', shape: [...shape], data: buf };
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function shapeString(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** Flattens a nested JS array (as found in JSON) into a float tensor, inferring its shape. */
export function fromNested(nested: unknown, ctor: FloatArrayConstructor = Float32Array): FloatTensor {
  const shape: number[] = [];
  let probe: unknown = nested;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const data = new ctor(sizeOf(shape));
  let k = 0;
  const walk = (v: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (typeof v !== 'number') throw new Error(`expected a number at depth ${depth}, got ${typeof v}`);
      data[k++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new Error(`ragged array: expected ${shape[depth]} elements at depth ${depth}`);
    }
    for (const item of v) walk(item, depth + 1);
  };
  walk(nested, 0);
  return { dtype: 'float32', shape, data };
}

/** Turns a flat buffer back into nested JS arrays of the given shape (for JSON output). */
export function toNested(data: ArrayLike<number>, shape: Shape): unknown {
  if (shape.length === 0) return data[0];
  const strides = stridesOf(shape);
  const build = (offset: number, depth: number): unknown => {
    const out: unknown[] = [];
    for (let i = 0; i < shape[depth]; i++) {
      out.push(depth === shape.length - 1 ? data[offset + i] : build(offset + i * strides[depth], depth + 1));
    }
    return out;
  };
  return build(0, 0);
}
