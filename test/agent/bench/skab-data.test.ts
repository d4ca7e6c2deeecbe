// Which SKAB files a run takes: all 34 in benchmark order, named files, or whole groups (the
// development split valve1+valve2 and the held-out other/*), and a UsageError naming the forms
// for anything else.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listSkabFiles } from '../../../agent/bench/skab-data.js';
import { UsageError } from '../../../agent/commands/errors.js';

const DATA = join(import.meta.dirname, '../../../../shared/datasets/skab/data');

describe('listSkabFiles', () => {
  it('lists the 34 anomalous files, valve1, valve2, then other, numerically inside each', async () => {
    const all = await listSkabFiles(DATA);
    expect(all).toHaveLength(34);
    expect(all.slice(0, 3)).toEqual(['valve1/0', 'valve1/1', 'valve1/2']);
    expect(all[16]).toBe('valve2/0');
    expect(all.at(-1)).toBe('other/14');
  });

  it('takes whole groups: valve1,valve2 is the 20-file development split, other the 14 held out', async () => {
    const dev = await listSkabFiles(DATA, ['valve1', 'valve2']);
    const held = await listSkabFiles(DATA, ['other']);
    expect(dev).toHaveLength(20);
    expect(dev.every((n) => n.startsWith('valve'))).toBe(true);
    expect(held).toHaveLength(14);
    expect(held.every((n) => n.startsWith('other/'))).toBe(true);
    expect([...dev, ...held]).toEqual(await listSkabFiles(DATA));
  });

  it('mixes groups and files, keeping benchmark order', async () => {
    expect(await listSkabFiles(DATA, ['other/3', 'valve2'])).toEqual(['valve2/0', 'valve2/1', 'valve2/2', 'valve2/3', 'other/3']);
  });

  it('rejects unknown names with a UsageError naming the forms', async () => {
    await expect(listSkabFiles(DATA, ['valve3'])).rejects.toBeInstanceOf(UsageError);
    await expect(listSkabFiles(DATA, ['valve1/99'])).rejects.toThrow(/groups are valve1, valve2, other/);
  });
});
