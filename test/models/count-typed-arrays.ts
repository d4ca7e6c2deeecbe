// Counts typed arrays constructed through the global constructors while `run` executes: the
// "no allocation in steady state" checks for scoring and streaming.

const NAMES = ['Float32Array', 'Float64Array', 'Int32Array', 'Uint32Array'] as const;

export function countTypedArrays(run: () => void): number {
  const g = globalThis as unknown as Record<string, new (...args: unknown[]) => object>;
  const saved = NAMES.map((n) => g[n]);
  let count = 0;
  NAMES.forEach((n, i) => {
    const Base = saved[i];
    g[n] = class extends Base {
      constructor(...args: unknown[]) {
        super(...args);
        count++;
      }
    } as unknown as new (...args: unknown[]) => object;
  });
  try {
    run();
  } finally {
    NAMES.forEach((n, i) => (g[n] = saved[i]));
  }
  return count;
}
