// Topic patterns with named wildcards: which machine (and channel) a topic belongs to.
//   plant/+machine/+channel      one value per message, channel from the topic
//   factory/+machine/telemetry   channels from the payload
//   +site/+machine/#             any depth below; `+site` is matched and ignored
//   $share/vigil/plant/+machine  an MQTT shared subscription (group `vigil`) to plant/+machine
// A level is a literal, `+name` (one level, captured as `name`), `+` (one level, ignored) or a final
// `#` (zero or more levels, MQTT's rule). Every pattern names `+machine`; `+channel` is optional;
// other names are matched but not returned. A leading `$share/<group>/` is subscribed as it is
// written and never matched: brokers deliver a shared subscription's messages under their own topic.
// Patterns compile once; match() walks the topic with indexOf and compares substrings in place (no
// regex, no split) and the FIRST matching pattern in declaration order wins. An empty machine or
// channel level does not match. `filters` are the MQTT subscription filters (names dropped,
// duplicates removed). Bad patterns throw at creation.

export interface TopicMatch {
  readonly machineId: string;
  readonly channel?: string;
}

/** A pattern subscribed as an MQTT shared subscription. */
export interface SharedPattern {
  readonly pattern: string;
  readonly group: string;
  /**
   * A wildcard follows the machine level (`+channel`, another `+`, `#`): one machine can publish on
   * several topics, and a broker spreads a shared subscription per message or at best per topic,
   * never per machine, so that machine's messages would be split across the group's agents.
   */
  readonly machineSpansTopics: boolean;
}

export interface TopicMap {
  /** MQTT subscription filters, one per distinct pattern shape ($share/<group>/ kept). */
  readonly filters: readonly string[];
  /** The patterns with a $share/<group>/ prefix, in declaration order. */
  readonly shared: readonly SharedPattern[];
  /** The machine (and channel) of a topic, or null when no pattern matches. */
  match(topic: string): TopicMatch | null;
}

const LITERAL = 0;
const ONE = 1; // +name or +
const REST = 2; // #

interface Level {
  readonly kind: typeof LITERAL | typeof ONE | typeof REST;
  readonly text: string; // the literal, or the capture name ('' when ignored)
}

interface Compiled {
  /** The $share group, or null for an ordinary subscription. */
  readonly group: string | null;
  readonly levels: readonly Level[];
  readonly machineAt: number; // level index of +machine
  readonly channelAt: number; // level index of +channel, -1 when absent
}

const NAME_START = /^[A-Za-z_]/;
const NAME_REST = /^[A-Za-z0-9_-]*$/;

const SHARE = '$share/';

function compile(pattern: string): Compiled {
  const fail = (why: string): never => {
    throw new Error(`topic pattern '${pattern}': ${why}. Example: 'plant/+machine/+channel' or 'factory/+machine/telemetry'`);
  };
  if (typeof pattern !== 'string' || pattern.length === 0) fail('must be a non-empty string');
  let group: string | null = null;
  let body = pattern;
  if (pattern.startsWith(SHARE)) {
    const end = pattern.indexOf('/', SHARE.length);
    group = end < 0 ? '' : pattern.slice(SHARE.length, end);
    if (group === '' || /[+#]/.test(group)) fail("a shared subscription is '$share/<group>/<pattern>', with a group name free of '+' and '#' (e.g. '$share/vigil/plant/+machine')");
    body = pattern.slice(end + 1);
    if (body === '') fail("'$share/<group>/' needs a pattern after it");
  } else if (pattern.startsWith('$queue/')) {
    fail("'$queue/' is a broker-specific form: write '$share/<group>/' instead");
  }
  const parts = body.split('/');
  const levels: Level[] = [];
  const seen = new Set<string>();
  let machineAt = -1;
  let channelAt = -1;
  parts.forEach((part, i) => {
    if (part.startsWith('#')) {
      if (part !== '#') fail(`'${part}' is not allowed: '#' stands alone (it captures nothing)`);
      if (i !== parts.length - 1) fail("'#' must be the last level");
      levels.push({ kind: REST, text: '' });
      return;
    }
    if (part.startsWith('+')) {
      const name = part.slice(1);
      if (name !== '' && !(NAME_START.test(name) && NAME_REST.test(name))) fail(`'${part}' needs a name of letters, digits, '_' or '-' after '+'`);
      if (name !== '' && seen.has(name)) fail(`the name '${name}' appears twice`);
      if (name !== '') seen.add(name);
      if (name === 'machine') machineAt = i;
      if (name === 'channel') channelAt = i;
      levels.push({ kind: ONE, text: name });
      return;
    }
    if (part.includes('+') || part.includes('#')) fail(`level '${part}' mixes a wildcard with text; a wildcard fills a whole level`);
    levels.push({ kind: LITERAL, text: part });
  });
  if (machineAt < 0) fail("it must capture the machine with a '+machine' level");
  return { group, levels, machineAt, channelAt };
}

function filterOf(c: Compiled): string {
  const filter = c.levels.map((l) => (l.kind === LITERAL ? l.text : l.kind === ONE ? '+' : '#')).join('/');
  return c.group === null ? filter : `${SHARE}${c.group}/${filter}`;
}

/** True when the topic matches; writes [machineStart, machineEnd, channelStart, channelEnd] into spans. */
function matchOne(c: Compiled, topic: string, spans: number[]): boolean {
  const { levels } = c;
  let pos = 0;
  const n = topic.length;
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i];
    if (level.kind === REST) return true; // '#' also matches the parent level itself (a/# matches a)
    if (pos > n) return false; // the topic ran out of levels
    let end = topic.indexOf('/', pos);
    if (end < 0) end = n;
    if (level.kind === LITERAL) {
      if (end - pos !== level.text.length || !topic.startsWith(level.text, pos)) return false;
    } else if (i === c.machineAt || i === c.channelAt) {
      if (end === pos) return false; // empty machine or channel
      const k = i === c.machineAt ? 0 : 2;
      spans[k] = pos;
      spans[k + 1] = end;
    }
    pos = end + 1;
  }
  return pos === n + 1; // consumed exactly every level
}

export function createTopicMap(patterns: readonly string[]): TopicMap {
  if (!Array.isArray(patterns) || patterns.length === 0) {
    throw new Error("topic map: give at least one pattern, e.g. ['plant/+machine/+channel']");
  }
  const compiled = patterns.map(compile);
  const filters = [...new Set(compiled.map(filterOf))];
  const shared = compiled.flatMap((c, i): SharedPattern[] =>
    c.group === null ? [] : [{ pattern: patterns[i], group: c.group, machineSpansTopics: c.levels.some((l, k) => k > c.machineAt && l.kind !== LITERAL) }],
  );
  const spans = [0, 0, 0, 0];
  return {
    filters,
    shared,
    match(topic: string): TopicMatch | null {
      if (typeof topic !== 'string') return null;
      for (const c of compiled) {
        if (!matchOne(c, topic, spans)) continue;
        const machineId = topic.slice(spans[0], spans[1]);
        return c.channelAt < 0 ? { machineId } : { machineId, channel: topic.slice(spans[2], spans[3]) };
      }
      return null;
    },
  };
}
