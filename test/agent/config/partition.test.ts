// partition: null by default; { index, count } from the file or from VIGIL_PARTITION_INDEX and
// VIGIL_PARTITION_COUNT (one image, the index from the instance); refused, naming the field and the
// fix, when out of range, incomplete, with unknown keys, without a shared broker, or together with
// a $share/ subscription (two ways of dividing the same machines).
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../agent/config/resolve.js';
import { problemsOf } from '../../helpers/config-problems.js';

const BROKER = { broker: { url: 'mqtt://plant-broker:1883', clientId: 'vigil-a' }, model: { path: 'm.onnx' } };

describe('partition', () => {
  it('is null by default', () => {
    expect(resolveConfig({ env: {} }).partition).toBeNull();
  });

  it('comes from the file or from the environment', () => {
    expect(resolveConfig({ env: {}, file: { ...BROKER, partition: { index: 2, count: 3 } } }).partition).toEqual({ index: 2, count: 3 });
    expect(resolveConfig({ env: { VIGIL_PARTITION_INDEX: '1', VIGIL_PARTITION_COUNT: '4' }, file: BROKER }).partition).toEqual({ index: 1, count: 4 });
    // The environment overrides one field of the file's partition (the index per instance).
    expect(resolveConfig({ env: { VIGIL_PARTITION_INDEX: '0' }, file: { ...BROKER, partition: { index: 2, count: 3 } } }).partition).toEqual({ index: 0, count: 3 });
  });

  it('refuses an index outside 0 … count-1 and a count below 1, saying what each means', () => {
    expect(problemsOf(() => resolveConfig({ env: {}, file: { ...BROKER, partition: { index: 3, count: 3 } } }))).toEqual([
      "partition.index must be an integer from 0 to 2 (this agent's share of 3), got 3",
    ]);
    expect(problemsOf(() => resolveConfig({ env: {}, file: { ...BROKER, partition: { index: 0, count: 0 } } }))).toEqual([
      'partition.count must be a positive integer (how many agents split the machines), got 0',
    ]);
  });

  it('refuses a half-given partition and unknown keys', () => {
    expect(problemsOf(() => resolveConfig({ env: { VIGIL_PARTITION_COUNT: '3' }, file: BROKER })).join('\n')).toMatch(/partition\.index must be an integer from 0 to 2.*got undefined/);
    expect(problemsOf(() => resolveConfig({ env: {}, file: { ...BROKER, partition: { index: 0, count: 2, of: 2 } } })).join('\n')).toMatch(
      /partition\.of is not a setting; partition takes index and count/,
    );
    expect(problemsOf(() => resolveConfig({ env: {}, file: { ...BROKER, partition: 2 } })).join('\n')).toMatch(/partition must be a mapping or null/);
    expect(problemsOf(() => resolveConfig({ env: { VIGIL_PARTITION_INDEX: 'first' }, file: BROKER })).join('\n')).toMatch(/VIGIL_PARTITION_INDEX=first: must be a number/);
  });

  it('needs a broker the agents share, and no $share/ subscription besides', () => {
    expect(problemsOf(() => resolveConfig({ env: {}, file: { partition: { index: 0, count: 2 } } }))).toEqual([
      'partition is set but broker is not: agents split a plant through the broker they share; set broker.url (an embedded broker serves one agent)',
    ]);
    expect(problemsOf(() => resolveConfig({ env: {}, file: { ...BROKER, partition: { index: 0, count: 2 }, topics: { sensors: ['$share/vigil/plant/+machine'] } } }))).toEqual([
      'partition and a $share/ pattern in topics.sensors both divide the machines between agents: use one of them',
    ]);
  });
});

describe('topics.sensors with $share/', () => {
  it('is accepted, and a bad shared pattern is refused under topics.sensors', () => {
    expect(resolveConfig({ env: {}, file: { ...BROKER, topics: { sensors: ['$share/vigil/plant/+machine'] } } }).topics.sensors).toEqual(['$share/vigil/plant/+machine']);
    expect(problemsOf(() => resolveConfig({ env: {}, file: { ...BROKER, topics: { sensors: ['$share/+machine'] } } })).join('\n')).toMatch(
      /^topics\.sensors: topic pattern '\$share\/\+machine'/,
    );
  });
});
