// Windows of a SKAB file as the protocol cuts them, raw units, [count, N, C] row-major:
//   trainWindows      every window of N consecutive training rows (400 − N + 1 of them)
//   testOnlyWindows   every window of N consecutive test rows (T − N + 1): SKAB's create_sequences
//   causalWindows     one window per test row t, ENDING at t; the N − 1 rows before the first test
//                     row are the last training rows (features only), so no test row lacks one
// Only features go in: these functions never see a label.

export interface Rows {
  readonly rows: number;
  readonly features: Float32Array; // [rows, C]
}

function slide(src: Float32Array, C: number, N: number, firstEnd: number, count: number): Float32Array {
  const out = new Float32Array(count * N * C);
  for (let w = 0; w < count; w++) {
    const from = (firstEnd + w - N + 1) * C;
    out.set(src.subarray(from, from + N * C), w * N * C);
  }
  return out;
}

function checkN(N: number, rows: number, what: string): void {
  if (!Number.isInteger(N) || N < 1) throw new Error(`window size must be an integer >= 1, got ${N}`);
  if (N > rows) throw new Error(`a window of ${N} rows does not fit in the ${rows} ${what} rows`);
}

export function trainWindows(train: Rows, C: number, N: number): { windows: Float32Array; count: number } {
  checkN(N, train.rows, 'training');
  const count = train.rows - N + 1;
  return { windows: slide(train.features, C, N, N - 1, count), count };
}

export function testOnlyWindows(test: Rows, C: number, N: number): { windows: Float32Array; count: number } {
  checkN(N, test.rows, 'test');
  const count = test.rows - N + 1;
  return { windows: slide(test.features, C, N, N - 1, count), count };
}

export function causalWindows(train: Rows, test: Rows, C: number, N: number): { windows: Float32Array; count: number } {
  checkN(N, train.rows + 1, 'training (plus one test)');
  const all = new Float32Array((train.rows + test.rows) * C);
  all.set(train.features, 0);
  all.set(test.features, train.rows * C);
  return { windows: slide(all, C, N, train.rows, test.rows), count: test.rows };
}
