// Measures the largest buffer a piece of code asks for: while `run` executes, the global ArrayBuffer
// and typed-array constructors are replaced by subclasses that record the bytes each call requests.
// The codec allocates through these globals, so a decoder that sized a buffer from a hostile
// header (dims of 2^40 elements) shows up here, or fails, before any data is read.

const NAMES = ['ArrayBuffer', 'Uint8Array', 'Int8Array', 'Uint16Array', 'Int16Array', 'Uint32Array', 'Int32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array'] as const;

type Ctor = new (...args: unknown[]) => object;

export function largestAllocation(run: () => void): number {
  const g = globalThis as unknown as Record<string, Ctor & { BYTES_PER_ELEMENT?: number }>;
  const saved = new Map<string, Ctor>();
  let max = 0;
  for (const name of NAMES) {
    const Base = g[name];
    saved.set(name, Base);
    const per = Base.BYTES_PER_ELEMENT ?? 1;
    g[name] = class extends Base {
      constructor(...args: unknown[]) {
        const a = args[0];
        const bytes = typeof a === 'number' ? a * per : a !== null && typeof a === 'object' && 'length' in a && typeof a.length === 'number' ? a.length * per : 0;
        max = Math.max(max, bytes);
        super(...args);
      }
    } as unknown as Ctor;
  }
  try {
    run();
  } finally {
    for (const [name, Base] of saved) g[name] = Base;
  }
  return max;
}
