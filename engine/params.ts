// One flat parameter store (llm.c): every weight of a model lives in one buffer and every
// gradient in another, with named views into both. Optimizers step over the flat buffers;
// persistence and ONNX export walk the names.

import { type FloatArray, type FloatArrayConstructor, type Shape, sizeOf, shapeString } from './tensor.js';

export interface ParamSpec {
  readonly name: string;
  readonly shape: Shape;
}

export interface Param {
  readonly name: string;
  readonly shape: Shape;
  /** Offset of this parameter in the flat buffers. */
  readonly offset: number;
  readonly size: number;
  /** View into `ParamStore.values`. */
  readonly value: FloatArray;
  /** View into `ParamStore.grads`. */
  readonly grad: FloatArray;
}

export class ParamStore {
  readonly values: FloatArray;
  readonly grads: FloatArray;
  private readonly byName = new Map<string, Param>();
  readonly list: readonly Param[];

  constructor(specs: readonly ParamSpec[], ctor: FloatArrayConstructor = Float32Array) {
    let total = 0;
    for (const s of specs) total += sizeOf(s.shape);
    this.values = new ctor(total);
    this.grads = new ctor(total);
    const list: Param[] = [];
    let offset = 0;
    for (const s of specs) {
      if (this.byName.has(s.name)) throw new Error(`duplicate parameter name '${s.name}'`);
      const size = sizeOf(s.shape);
      const p: Param = {
        name: s.name,
        shape: [...s.shape],
        offset,
        size,
        value: this.values.subarray(offset, offset + size),
        grad: this.grads.subarray(offset, offset + size),
      };
      this.byName.set(s.name, p);
      list.push(p);
      offset += size;
    }
    this.list = list;
  }

  get size(): number {
    return this.values.length;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  get(name: string): Param {
    const p = this.byName.get(name);
    if (!p) throw new Error(`no parameter named '${name}' (have: ${[...this.byName.keys()].join(', ')})`);
    return p;
  }

  /** Copies values in, checking the length against the declared shape. */
  set(name: string, values: ArrayLike<number>): void {
    const p = this.get(name);
    if (values.length !== p.size) {
      throw new Error(`parameter '${name}' of shape ${shapeString(p.shape)} needs ${p.size} values, got ${values.length}`);
    }
    p.value.set(values);
  }

  zeroGrad(): void {
    this.grads.fill(0);
  }

  /** A new store with the same layout; values copied, gradients zero (optionally in another precision). */
  clone(ctor?: FloatArrayConstructor): ParamStore {
    const copy = new ParamStore(this.list, ctor ?? (this.values.constructor as FloatArrayConstructor));
    copy.values.set(this.values);
    return copy;
  }
}
