import { describe, expect, it } from 'vitest';
import { createTopicMap } from '../../../agent/source/topic-map.js';

describe('createTopicMap', () => {
  it('captures machine and channel from plant/+machine/+channel', () => {
    const map = createTopicMap(['plant/+machine/+channel']);
    expect(map.match('plant/press-7/temp')).toEqual({ machineId: 'press-7', channel: 'temp' });
    expect(map.filters).toEqual(['plant/+/+']);
  });

  it('leaves the channel to the payload when the pattern names none', () => {
    const map = createTopicMap(['factory/+machine/telemetry']);
    expect(map.match('factory/m1/telemetry')).toEqual({ machineId: 'm1' });
    expect(map.match('factory/m1/status')).toBeNull();
  });

  it('matches any depth under # (and the parent level itself, as MQTT does)', () => {
    const map = createTopicMap(['+site/+machine/#']);
    expect(map.filters).toEqual(['+/+/#']);
    expect(map.match('lyon/m2/a/b/c')).toEqual({ machineId: 'm2' });
    expect(map.match('lyon/m2')).toEqual({ machineId: 'm2' });
    expect(map.match('lyon')).toBeNull();
  });

  it('rejects topics with too few or too many levels, and empty machine or channel levels', () => {
    const map = createTopicMap(['plant/+machine/+channel']);
    for (const t of ['plant/m1', 'plant/m1/temp/x', 'plant//temp', 'plant/m1/', 'plant', '', 'Plant/m1/temp', 'plantx/m1/temp']) {
      expect(map.match(t), t).toBeNull();
    }
  });

  it('tries patterns in declaration order: the first match wins; filters are de-duplicated', () => {
    const map = createTopicMap(['plant/+machine/+channel', 'plant/+machine/+', '+/+machine/#']);
    expect(map.match('plant/m1/temp')).toEqual({ machineId: 'm1', channel: 'temp' });
    expect(map.match('other/m3/x/y')).toEqual({ machineId: 'm3' });
    expect(map.filters).toEqual(['plant/+/+', '+/+/#']);
  });

  it('ignores wildcards it does not return, unnamed or named', () => {
    const map = createTopicMap(['+/+site/+machine/+channel']);
    expect(map.match('eu/lyon/m1/rpm')).toEqual({ machineId: 'm1', channel: 'rpm' });
    expect(map.filters).toEqual(['+/+/+/+']);
  });

  it('refuses bad patterns at creation with a message naming the pattern and the fix', () => {
    expect(() => createTopicMap([])).toThrow(/at least one pattern/);
    expect(() => createTopicMap(['plant/+id/+channel'])).toThrow(/'plant\/\+id\/\+channel'.*\+machine/);
    expect(() => createTopicMap(['a/#/+machine'])).toThrow(/'#' must be the last level/);
    expect(() => createTopicMap(['a/x+machine'])).toThrow(/whole level/);
    expect(() => createTopicMap(['+machine/+machine'])).toThrow(/twice/);
    expect(() => createTopicMap(['+machine/#rest'])).toThrow(/stands alone/);
    expect(() => createTopicMap(['+machine/+9x'])).toThrow(/name of letters/);
  });

});
