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

  it('an ordinary map has no shared patterns', () => {
    expect(createTopicMap(['plant/+machine/+channel']).shared).toEqual([]);
  });
});

describe('createTopicMap: MQTT shared subscriptions ($share/<group>/...)', () => {
  it('subscribes with the prefix and matches delivered topics, which never carry it', () => {
    const map = createTopicMap(['$share/vigil/plant/+machine']);
    expect(map.filters).toEqual(['$share/vigil/plant/+']);
    expect(map.match('plant/m1')).toEqual({ machineId: 'm1' });
    expect(map.match('$share/vigil/plant/m1')).toBeNull();
    expect(map.shared).toEqual([{ pattern: '$share/vigil/plant/+machine', group: 'vigil', machineSpansTopics: false }]);
  });

  it('flags patterns under which one machine publishes on several topics (its messages would be split)', () => {
    const map = createTopicMap(['$share/g/plant/+machine/+channel', '$share/g/+site/+machine', '$share/h/f/+machine/#', 'other/+machine/+channel']);
    expect(map.shared.map((s) => [s.pattern, s.group, s.machineSpansTopics])).toEqual([
      ['$share/g/plant/+machine/+channel', 'g', true],
      ['$share/g/+site/+machine', 'g', false], // a wildcard BEFORE the machine does not split one machine
      ['$share/h/f/+machine/#', 'h', true],
    ]);
    expect(map.filters).toEqual(['$share/g/plant/+/+', '$share/g/+/+', '$share/h/f/+/#', 'other/+/+']);
    expect(map.match('plant/m1/temp')).toEqual({ machineId: 'm1', channel: 'temp' });
    expect(map.match('lyon/m2')).toEqual({ machineId: 'm2' });
  });

  it('keeps a shared and an ordinary subscription to the same filter apart', () => {
    expect(createTopicMap(['$share/g/plant/+machine', 'plant/+machine']).filters).toEqual(['$share/g/plant/+', 'plant/+']);
  });

  it('refuses a missing or wildcard group, a missing pattern, and $queue/', () => {
    expect(() => createTopicMap(['$share/plant'])).toThrow(/'\$share\/plant'.*\$share\/<group>\/<pattern>/);
    expect(() => createTopicMap(['$share//plant/+machine'])).toThrow(/group name/);
    expect(() => createTopicMap(['$share/+/plant/+machine'])).toThrow(/group name/);
    expect(() => createTopicMap(['$share/g/'])).toThrow(/needs a pattern/);
    expect(() => createTopicMap(['$share/g/plant/+id'])).toThrow(/\+machine/);
    expect(() => createTopicMap(['$queue/plant/+machine'])).toThrow(/write '\$share\/<group>\/' instead/);
  });
});
