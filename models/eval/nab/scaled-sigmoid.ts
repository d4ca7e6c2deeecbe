// NAB's scoring curve (numenta/NAB nab/sweeper.py: sigmoid, scaledSigmoid), operation for operation
// so the per-row weights match NAB's to the last bit where the platform's exp() does.
//   scaledSigmoid(y) = -1                  if y > 3   (an FP far past the previous window)
//                    = 2·sigmoid(-5y) - 1  otherwise
// y = -1 is a window's left edge (0.98661…), 0 its right edge (0), y > 0 rows past it (negative).

/** 1 / (1 + e^-x). */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** The NAB curve of a relative position in (or past) a window; see the file comment. */
export function scaledSigmoid(relativePositionInWindow: number): number {
  if (relativePositionInWindow > 3.0) return -1.0;
  return 2 * sigmoid(-5 * relativePositionInWindow) - 1.0;
}

/** scaledSigmoid(-1): a detection at a window's first row; NAB divides TP weights by it. */
export const MAX_TP = scaledSigmoid(-1.0);
