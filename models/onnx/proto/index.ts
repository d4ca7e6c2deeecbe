// The ONNX protobuf codec's public face: decodeModel / encodeModel, the message types, and the
// one error class every malformed file produces.

export { decodeModel } from './decode-model.js';
export { encodeModel } from './encode-model.js';
export { OnnxFormatError } from './errors.js';
export { bfloat16ToFloat, floatToBfloat16, floatToHalf, halfToFloat } from './tensor-data.js';
export * from './types.js';
