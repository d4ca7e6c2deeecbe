// NAB's application profiles (config/profiles.json): the weights of a true positive, a false
// positive and a missed window. tnWeight exists in the file but NAB never uses it.
//   standard            tp 1, fp 0.11, fn 1
//   reward_low_FP_rate  tp 1, fp 0.22, fn 1
//   reward_low_FN_rate  tp 1, fp 0.11, fn 2
// parseNabProfiles checks a parsed profiles.json and returns the weights by profile name.

import { NabInputError } from './errors.js';

export interface NabProfile {
  readonly tpWeight: number;
  readonly fpWeight: number;
  readonly fnWeight: number;
}

export type NabProfiles = Readonly<Record<string, NabProfile>>;

/** The three profiles of NAB's config/profiles.json. */
export const NAB_PROFILES: NabProfiles = Object.freeze({
  standard: Object.freeze({ tpWeight: 1.0, fpWeight: 0.11, fnWeight: 1.0 }),
  reward_low_FP_rate: Object.freeze({ tpWeight: 1.0, fpWeight: 0.22, fnWeight: 1.0 }),
  reward_low_FN_rate: Object.freeze({ tpWeight: 1.0, fpWeight: 0.11, fnWeight: 2.0 }),
});

/** `{ name: { CostMatrix: { tpWeight, fpWeight, fnWeight, tnWeight? } } }` → weights by name. */
export function parseNabProfiles(json: unknown, source = 'profiles'): NabProfiles {
  if (!isObject(json) || Object.keys(json).length === 0) {
    throw new NabInputError(`${source}: expected an object of profiles, e.g. {"standard": {"CostMatrix": {"tpWeight": 1, "fpWeight": 0.11, "fnWeight": 1}}}`);
  }
  const out: Record<string, NabProfile> = {};
  for (const [name, entry] of Object.entries(json)) {
    const matrix = isObject(entry) ? entry.CostMatrix : undefined;
    if (!isObject(matrix)) throw new NabInputError(`${source}: profile '${name}' has no CostMatrix object`);
    const weight = (key: string): number => {
      const x = matrix[key];
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new NabInputError(`${source}: ${name}.CostMatrix.${key}: expected a finite number, got ${JSON.stringify(x)}`);
      return x;
    };
    out[name] = { tpWeight: weight('tpWeight'), fpWeight: weight('fpWeight'), fnWeight: weight('fnWeight') };
  }
  return out;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
