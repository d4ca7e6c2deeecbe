// Python's round(x, digits) for floats, which SKAB's metrics apply to every reported number:
// the decimal nearest to the double's EXACT value, ties to even. JavaScript's toFixed also works
// on the exact value but breaks ties away from zero, so exact ties are settled here. A double is
// an exact tie at `digits` decimals only when it is an odd multiple of 2^-(digits+1) (a half of
// 10^-digits that binary can hold, e.g. 0.125 at 2 digits); Python gives 0.12, toFixed "0.13".

export function pyRound(x: number, digits = 2): number {
  if (!Number.isFinite(x)) return x;
  if (!Number.isInteger(digits) || digits < 0 || digits > 15) throw new Error(`pyRound digits must be an integer in [0, 15], got ${digits}`);
  if (Math.abs(x) >= 1e21) return x;
  const half = 2 ** (digits + 1);
  if (Number.isInteger(x * half) && !Number.isInteger(x * (half / 2)) && Math.abs(x) < 2 ** 52 / 10 ** digits) {
    // Exact tie: x·10^digits is k + 1/2 exactly (and representable at these magnitudes).
    const scaled = x * 10 ** digits;
    const lo = Math.floor(scaled);
    const even = lo % 2 === 0 ? lo : lo + 1;
    return Number((even / 10 ** digits).toFixed(digits));
  }
  return Number(x.toFixed(digits));
}
