// The contract between models and the training machinery: anything with a parameter store,
// a forward pass that remembers what it needs, and a backward pass that accumulates gradients.
// Graphs (engine/graph) implement it; so can hand-built models in tests.

import type { ParamStore } from './params.js';
import type { FloatTensor } from './tensor.js';

export interface Trainable {
  readonly params: ParamStore;
  /** Forward pass over a batch. The result may be an internal buffer, valid until the next call. */
  forward(input: FloatTensor): FloatTensor;
  /** Adds d(loss)/d(parameter) into params.grads for the last forward, given d(loss)/d(output). */
  backward(dOutput: FloatTensor): void;
}
