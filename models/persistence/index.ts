// Model persistence's public face: model files (ONNX + Vigil metadata + optimizer sidecar),
// atomic writes, and Ed25519 signatures for fleets.

export { type AtomicFileHandle, type AtomicIo, type AtomicWriteOptions, nodeIo, writeFileAtomic } from './atomic-write.js';
export { ModelFileError } from './errors.js';
export { FORMAT_VERSION, KEY_CALIBRATION, KEY_FORMAT, KEY_META, KEY_SCALER, OLDEST_READABLE_FORMAT } from './metadata.js';
export {
  type DecodedModelFile, type LoadOptions, type LoadedForeignModel, type LoadedModel, type LoadedVigilModel, type SaveOptions,
  decodeModelFile, encodeModelFile, loadModel, saveModel, statePath,
} from './model-file.js';
export { decodeOptimizerState, encodeOptimizerState, STATE_FORMAT_VERSION } from './optimizer-state.js';
export {
  type KeyPairPem, SigningKeyError, generateKeyPair, signBytes, signFile, signatureProblem, signaturePath, verifyBytes, verifyFile,
} from './signing.js';
