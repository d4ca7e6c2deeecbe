// Vigil's metadata inside an ONNX file's metadata_props (any runtime ignores it; Vigil reads it):
//   vigil.format       the file format version, a decimal integer ("1"); see FORMAT_VERSION
//   vigil.meta         DetectorMeta as JSON
//   vigil.scaler       ScalerParams as JSON ({ mean, std }, one entry per channel)
//   vigil.calibration  Calibration as JSON, or "null" before calibration
// Reading validates every field and names the one at fault; writing validates the same way first,
// so a NaN or a mistyped field is refused at save time rather than discovered on a device.

import type { Graph } from '../../engine/graph/graph.js';
import type { Architecture, Calibration, DetectorMeta, DetectorRole, ScalerParams } from '../detector.js';
import {
  FieldError, describe, expectArray, expectEnum, expectInteger, expectNumber, expectNumbers, expectObject, expectString, expectTimestamp,
} from './fields.js';

/** The format this Vigil writes. Bump it when a change would make older Vigils misread a file. */
export const FORMAT_VERSION = 1;
/** The oldest format this Vigil still reads. */
export const OLDEST_READABLE_FORMAT = 1;

export const KEY_FORMAT = 'vigil.format';
export const KEY_META = 'vigil.meta';
export const KEY_SCALER = 'vigil.scaler';
export const KEY_CALIBRATION = 'vigil.calibration';

const ARCHITECTURES: readonly Architecture[] = ['lstm-forecaster', 'dense-ae', 'lstm-ae', 'conv-ae', 'onnx'];
const ROLES: readonly DetectorRole[] = ['autoencoder', 'forecaster'];

export interface VigilMetadata {
  readonly formatVersion: number;
  readonly meta: DetectorMeta;
  readonly scaler: ScalerParams;
  readonly calibration: Calibration | null;
}

/** metadata_props for a model; throws FieldError when a field could not be read back. */
export function encodeVigilMetadata(meta: DetectorMeta, scaler: ScalerParams, calibration: Calibration | null): Record<string, string> {
  // Validate what we are about to write with the reader itself, so nothing is written that cannot be read.
  const checkedMeta = readMeta(meta, KEY_META);
  readScaler(scaler, KEY_SCALER, checkedMeta.channels.length);
  if (calibration !== null) readCalibration(calibration, KEY_CALIBRATION, checkedMeta.channels.length);
  return {
    [KEY_FORMAT]: String(FORMAT_VERSION),
    [KEY_META]: JSON.stringify(checkedMeta),
    [KEY_SCALER]: JSON.stringify({ mean: [...scaler.mean], std: [...scaler.std] }),
    [KEY_CALIBRATION]: JSON.stringify(calibration === null ? null : normalCalibration(calibration)),
  };
}

/** Reads Vigil's metadata from metadata_props; null when the file has no vigil.meta (a foreign ONNX model). */
export function decodeVigilMetadata(props: ReadonlyMap<string, string>): VigilMetadata | null {
  if (!props.has(KEY_META)) return null;
  const formatText = props.get(KEY_FORMAT);
  if (formatText === undefined) throw new FieldError(KEY_FORMAT, `missing (the file has ${KEY_META} but no format version; it was not written by Vigil)`);
  if (!/^\d{1,6}$/.test(formatText)) throw new FieldError(KEY_FORMAT, `expected a format version number, got ${describe(formatText)}`);
  const formatVersion = Number(formatText);
  if (formatVersion > FORMAT_VERSION) {
    throw new FieldError(KEY_FORMAT, `the file is format ${formatVersion}, written by a newer Vigil; this Vigil reads formats ${OLDEST_READABLE_FORMAT} to ${FORMAT_VERSION}: upgrade Vigil on this device`);
  }
  if (formatVersion < OLDEST_READABLE_FORMAT) {
    throw new FieldError(KEY_FORMAT, `the file is format ${formatVersion}, older than this Vigil reads (${OLDEST_READABLE_FORMAT} to ${FORMAT_VERSION}): retrain the model or convert it with an older Vigil`);
  }
  const meta = readMeta(parseJson(props.get(KEY_META)!, KEY_META), KEY_META);
  const scalerText = props.get(KEY_SCALER);
  if (scalerText === undefined) throw new FieldError(KEY_SCALER, 'missing (every Vigil model has a scaler)');
  const scaler = readScaler(parseJson(scalerText, KEY_SCALER), KEY_SCALER, meta.channels.length);
  const calText = props.get(KEY_CALIBRATION);
  const calJson = calText === undefined ? null : parseJson(calText, KEY_CALIBRATION);
  const calibration = calJson === null ? null : readCalibration(calJson, KEY_CALIBRATION, meta.channels.length);
  return { formatVersion, meta, scaler, calibration };
}

function parseJson(text: string, key: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new FieldError(key, `is not valid JSON (${(err as Error).message})`);
  }
}

export function readMeta(v: unknown, path: string): DetectorMeta {
  const o = expectObject(v, path);
  const channels = expectArray(o.channels, `${path}.channels`).map((c, i) => expectString(c, `${path}.channels[${i}]`, true));
  if (channels.length === 0) throw new FieldError(`${path}.channels`, 'expected at least one channel');
  const dup = channels.find((c, i) => channels.indexOf(c) !== i);
  if (dup !== undefined) throw new FieldError(`${path}.channels`, `channel ${JSON.stringify(dup)} is listed twice`);
  const role = expectEnum(o.role, `${path}.role`, ROLES);
  const windowSize = expectInteger(o.windowSize, `${path}.windowSize`, 1);
  const horizon = expectInteger(o.horizon, `${path}.horizon`, 0);
  if (role === 'autoencoder' && horizon !== 0) throw new FieldError(`${path}.horizon`, `an autoencoder has horizon 0, got ${horizon}`);
  if (role === 'forecaster' && (horizon < 1 || horizon >= windowSize)) {
    throw new FieldError(`${path}.horizon`, `a forecaster needs 1 <= horizon < windowSize (${windowSize}), got ${horizon}`);
  }
  const hyperIn = expectObject(o.hyper, `${path}.hyper`);
  const hyper: Record<string, number | string | boolean> = {};
  for (const [k, x] of Object.entries(hyperIn)) {
    if (typeof x === 'string' || typeof x === 'boolean') hyper[k] = x;
    else hyper[k] = expectNumber(x, `${path}.hyper.${k}`);
  }
  return {
    name: expectString(o.name, `${path}.name`, true),
    version: expectString(o.version, `${path}.version`, true),
    architecture: expectEnum(o.architecture, `${path}.architecture`, ARCHITECTURES),
    role,
    channels,
    windowSize,
    horizon,
    hyper,
    createdAt: expectTimestamp(o.createdAt, `${path}.createdAt`),
    updatedAt: expectTimestamp(o.updatedAt, `${path}.updatedAt`),
    trainedWindows: expectInteger(o.trainedWindows, `${path}.trainedWindows`, 0),
    fineTuneSteps: expectInteger(o.fineTuneSteps, `${path}.fineTuneSteps`, 0),
  };
}

export function readScaler(v: unknown, path: string, channels: number): ScalerParams {
  const o = expectObject(v, path);
  const mean = expectNumbers(o.mean, `${path}.mean`, channels, 'channel');
  const std = expectNumbers(o.std, `${path}.std`, channels, 'channel');
  std.forEach((s, i) => {
    if (!(s > 0)) throw new FieldError(`${path}.std[${i}]`, `expected a standard deviation > 0, got ${s}`);
  });
  return { mean, std };
}

export function readCalibration(v: unknown, path: string, channels: number): Calibration {
  const o = expectObject(v, path);
  const q = expectObject(o.quantiles, `${path}.quantiles`);
  const quantiles: Record<string, number> = {};
  for (const [k, x] of Object.entries(q)) {
    const p = Number(k);
    if (k.trim() === '' || !(p >= 0 && p <= 1)) throw new FieldError(`${path}.quantiles`, `key ${JSON.stringify(k)} is not a probability in [0, 1]`);
    quantiles[k] = expectNumber(x, `${path}.quantiles['${k}']`);
  }
  return {
    windows: expectInteger(o.windows, `${path}.windows`, 0),
    mean: expectNumber(o.mean, `${path}.mean`),
    std: expectNumber(o.std, `${path}.std`),
    quantiles,
    perChannelMean: expectNumbers(o.perChannelMean, `${path}.perChannelMean`, channels, 'channel'),
    perChannelStd: expectNumbers(o.perChannelStd, `${path}.perChannelStd`, channels, 'channel'),
  };
}

function normalCalibration(c: Calibration): Calibration {
  return {
    windows: c.windows, mean: c.mean, std: c.std, quantiles: { ...c.quantiles },
    perChannelMean: [...c.perChannelMean], perChannelStd: [...c.perChannelStd],
  };
}

/**
 * The graph must take what the metadata says it takes: windows of `channels.length` channels on the
 * first input's last axis ([batch, time, channels]), or flattened windows ([batch, time × channels]).
 * Time may be the whole window or, for a forecaster, the lookback (windowSize − horizon).
 */
export function checkGraphMatchesMeta(graph: Graph, meta: DetectorMeta): void {
  const input = graph.inputs[0];
  if (!input) throw new FieldError('graph.input', 'the graph has no inputs');
  const shape = input.shape;
  if (shape === null || shape.length < 2) return; // rank unknown or per-sample: nothing to compare
  const c = meta.channels.length;
  const times = meta.role === 'forecaster' ? [meta.windowSize, meta.windowSize - meta.horizon] : [meta.windowSize];
  const shown = `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
  const channelsText = `${c} channel${c === 1 ? '' : 's'} (${meta.channels.join(', ')})`;
  const last = shape[shape.length - 1];
  if (shape.length === 2) {
    if (typeof last === 'number' && !times.some((t) => t * c === last)) {
      throw new FieldError(KEY_META, `vigil.meta says windows of ${times.join(' or ')} samples × ${channelsText}, but graph input '${input.name}' is ${shown}: ${last} values per window is not ${times.map((t) => t * c).join(' or ')}`);
    }
    return;
  }
  if (typeof last === 'number' && last !== c) {
    throw new FieldError(KEY_META, `vigil.meta.channels lists ${channelsText}, but graph input '${input.name}' is ${shown} with ${last} on its channel axis`);
  }
  const time = shape[shape.length - 2];
  if (shape.length === 3 && typeof time === 'number' && !times.includes(time)) {
    throw new FieldError(KEY_META, `vigil.meta.windowSize is ${meta.windowSize}${meta.horizon ? ` (horizon ${meta.horizon})` : ''}, but graph input '${input.name}' is ${shown} with ${time} samples on its time axis`);
  }
}
