// NabInputError: the inputs cannot be scored the way NAB scores them (a window boundary missing from
// its data file, an anomaly score outside [0, 1], a profile without weights ...). The message names
// the file, window or row and what is wrong; callers at the edge turn it into a usage error.

export class NabInputError extends Error {
  override readonly name = 'NabInputError';
}
