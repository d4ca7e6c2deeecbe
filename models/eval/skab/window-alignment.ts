// From per-window decisions to per-row predictions, the way SKAB's window autoencoders do it
// (LSTM-AE and Conv-AE notebooks, inherited from the Keras timeseries example). Windows are
// taken over the test rows only, window w covering rows w .. w+N−1, so T rows give W = T−N+1
// windows. Then, for i in range(N−1, W−N+1), row i is flagged iff all(anomalous[i−N+1 : i]):
// a half-open slice, so only the N−1 windows i−N+1 … i−1 are checked (the window starting AT
// row i is not, an off-by-one kept here as it is). Every other row is 0, so the first N−1 rows
// and the last 2N−2 rows can never be flagged (59 + 118 per file for N = 60). A row's flag needs
// windows that reach N−2 rows into its future: this alignment is not causal.
// Vigil's own runs use the causal alignment instead (one window per row, ENDING at the row; see
// agent/bench/skab-protocol.ts); this one exists to reproduce SKAB's numbers.

export function skabWindowRows(anomalous: ArrayLike<number | boolean>, windowSize: number): Uint8Array {
  const N = windowSize;
  if (!Number.isInteger(N) || N < 1) throw new Error(`skabWindowRows: windowSize must be an integer >= 1, got ${N}`);
  const W = anomalous.length;
  const T = W + N - 1;
  const rows = new Uint8Array(T);
  for (let i = N - 1; i < W - N + 1; i++) {
    let all = true;
    for (let w = i - N + 1; w < i && all; w++) all = Boolean(anomalous[w]);
    rows[i] = all ? 1 : 0;
  }
  return rows;
}
