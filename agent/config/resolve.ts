// Resolves the configuration once, at start: defaults ← file (YAML or JSON) ← environment
// (VIGIL_<SECTION>_<FIELD>, e.g. VIGIL_BROKER_URL, VIGIL_SAMPLING_PERIOD_MS) ← command-line flags.
// Every problem is collected and reported together; each names the field, what it must be and
// what was given, and unknown fields suggest the closest known one (a typo must not silently
// fall back to a default).

import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { checkDecisionPolicy } from '../../models/scoring/decision-policy.js';
import { resolveMqttLinkConfig } from '../mqtt/mqtt-link-config.js';
import { createPartition } from '../source/partition.js';
import { createTopicMap } from '../source/topic-map.js';
import { DEFAULT_CONFIG, SCORING_MODES, type VigilConfig } from './types.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[], source: string) {
    super(`invalid configuration (${source}):\n  - ${problems.join('\n  - ')}`);
  }
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Sections whose value is a free-form object validated by its owner (not by the defaults' shape). */
const OPAQUE = new Set(['broker', 'alertBroker', 'decision', 'simulator.faults']);
/** Fields whose default is null but which take these kinds of value. */
const NULLABLE: Record<string, 'string' | 'string[]' | 'number' | 'object'> = {
  broker: 'object', alertBroker: 'object', http: 'object', 'topics.deadLetters': 'string', 'topics.ack': 'string',
  partition: 'object', 'partition.index': 'number', 'partition.count': 'number',
  'model.path': 'string', 'model.publicKeyFile': 'string', 'model.channels': 'string[]', 'model.role': 'string',
  'model.windowSize': 'number', 'model.name': 'string',
};

export function readConfigFile(path: string): Obj {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([`cannot read the config file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; check the path`], path);
  }
  let parsed: unknown;
  try {
    parsed = /\.json$/i.test(path) ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError([`not valid ${/\.json$/i.test(path) ? 'JSON' : 'YAML'}: ${(err as Error).message}`], path);
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isObj(parsed)) throw new ConfigError(['the top level must be a mapping of sections (stateDir, broker, topics, model ...)'], path);
  return parsed;
}

function envName(path: string): string {
  return 'VIGIL_' + path.split('.').map((k) => k.replace(/([A-Z])/g, '_$1').toUpperCase()).join('_');
}

/** Every overridable leaf path with its default (object leaves of the defaults, plus nullable ones). */
function leaves(): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const walk = (o: unknown, prefix: string): void => {
    for (const [k, v] of Object.entries(o as object)) {
      const path = prefix ? `${prefix}.${k}` : k;
      if (OPAQUE.has(path)) continue;
      if (isObj(v) && !(path in NULLABLE)) walk(v, path);
      else out.set(path, v);
    }
  };
  walk(DEFAULT_CONFIG, '');
  for (const p of ['http.host', 'http.port']) out.set(p, (DEFAULT_CONFIG.http as Obj | null)?.[p.split('.')[1]]);
  out.delete('http');
  // Broker settings live in free-form sections; these are the ones deployments set from outside.
  for (const p of ['url', 'clientId', 'username', 'password.file', 'password.env', 'tls.caFile', 'tls.certFile', 'tls.keyFile']) {
    out.set(`broker.${p}`, null);
    out.set(`alertBroker.${p}`, null);
  }
  out.set('broker.protocolVersion', 4);
  out.set('broker.clean', true);
  // VIGIL_PARTITION_INDEX / _COUNT: one image, the index from the instance (systemd %i, a pod index).
  out.delete('partition');
  out.set('partition.index', null);
  out.set('partition.count', null);
  return out;
}

/** Environment overrides as a partial config object; values are parsed by the type of their default. */
export function configFromEnv(env: NodeJS.ProcessEnv): { config: Obj; problems: string[] } {
  const config: Obj = {};
  const problems: string[] = [];
  for (const [path, def] of leaves()) {
    const raw = env[envName(path)];
    if (raw === undefined || raw === '') continue;
    let value: Json;
    const kind: string = path === 'log.pretty' ? (/^auto$/i.test(raw) ? 'string' : 'boolean') : NULLABLE[path] ?? (Array.isArray(def) ? 'string[]' : typeof def);
    if (kind === 'number') {
      value = Number(raw);
      if (!Number.isFinite(value)) {
        problems.push(`${envName(path)}=${raw}: must be a number (it sets ${path})`);
        continue;
      }
    } else if (kind === 'boolean') {
      if (!/^(true|false|1|0|yes|no)$/i.test(raw)) {
        problems.push(`${envName(path)}=${raw}: must be true or false (it sets ${path})`);
        continue;
      }
      value = /^(true|1|yes)$/i.test(raw);
    } else if (kind === 'string[]') value = raw.split(',').map((s) => s.trim()).filter(Boolean);
    else value = raw;
    setPath(config, path, value);
  }
  return { config, problems };
}

export function setPath(o: Obj, path: string, value: Json): void {
  const keys = path.split('.');
  let cur = o;
  for (const k of keys.slice(0, -1)) {
    if (!isObj(cur[k])) cur[k] = {};
    cur = cur[k] as Obj;
  }
  cur[keys[keys.length - 1]] = value;
}

function merge(base: unknown, over: unknown): unknown {
  if (!isObj(base) || !isObj(over)) return over === undefined ? base : over;
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v) as Json;
  return out;
}

function closest(name: string, options: string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const o of options) {
    const d = editDistance(name.toLowerCase(), o.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = o;
    }
  }
  return bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : null;
}

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0];
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j];
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length];
}

/** Structural check against the defaults: unknown keys and wrong types, named by path. */
function checkShape(value: unknown, def: unknown, path: string, problems: string[]): void {
  if (path && OPAQUE.has(path)) return;
  if (path in NULLABLE) {
    if (value === null) return;
    const kind = NULLABLE[path];
    const ok = kind === 'string[]' ? Array.isArray(value) && value.every((s) => typeof s === 'string') : kind === 'object' ? isObj(value) : typeof value === kind;
    if (!ok) problems.push(`${path} must be ${kind === 'string[]' ? 'a list of strings' : kind === 'object' ? 'a mapping' : `a ${kind}`} or null, got ${JSON.stringify(value)}`);
    else if (kind === 'object' && isObj(def)) checkShape(value, def, `${path}.`, problems);
    return;
  }
  if (path === 'log.pretty') {
    if (value !== 'auto' && typeof value !== 'boolean') problems.push(`log.pretty must be 'auto', true or false, got ${JSON.stringify(value)}`);
    return;
  }
  if (isObj(def)) {
    if (!isObj(value)) {
      problems.push(`${path || 'the configuration'} must be a mapping, got ${JSON.stringify(value)}`);
      return;
    }
    const known = Object.keys(def);
    for (const [k, v] of Object.entries(value)) {
      const p = path.endsWith('.') ? `${path}${k}` : path ? `${path}.${k}` : k;
      if (!(k in def)) {
        const hint = closest(k, known);
        problems.push(`${p} is not a setting${hint ? ` (did you mean '${hint}'?)` : ''}; known here: ${known.join(', ')}`);
        continue;
      }
      checkShape(v, (def as Obj)[k], p, problems);
    }
    return;
  }
  const want = Array.isArray(def) ? 'list' : typeof def;
  const got = Array.isArray(value) ? 'list' : typeof value;
  if (want !== got) problems.push(`${path} must be a ${want}, got ${JSON.stringify(value)}`);
}

const positive = (v: number): boolean => Number.isFinite(v) && v > 0;
const count = (v: number, min = 1): boolean => Number.isInteger(v) && v >= min;

function checkValues(c: VigilConfig, env: NodeJS.ProcessEnv, problems: string[]): void {
  const need = (ok: boolean, msg: string): void => {
    if (!ok) problems.push(msg);
  };
  const port = (v: number, path: string): void => need(Number.isInteger(v) && v >= 0 && v <= 65535, `${path} must be a port number from 0 to 65535 (0 picks a free one), got ${v}`);
  need(['fatal', 'error', 'warn', 'info', 'debug', 'trace'].includes(c.log.level), `log.level must be one of fatal, error, warn, info, debug, trace; got '${c.log.level}'`);
  if (c.http) port(c.http.port, 'http.port');
  port(c.embeddedBroker.port, 'embeddedBroker.port');
  for (const [name, link] of [['broker', c.broker], ['alertBroker', c.alertBroker]] as const) {
    if (!link) continue;
    try {
      resolveMqttLinkConfig(link, env);
    } catch (err) {
      problems.push(`${name}: ${(err as Error).message.replace(/^mqtt link config: /, '')}`);
    }
  }
  try {
    createTopicMap(c.topics.sensors);
  } catch (err) {
    problems.push(`topics.sensors: ${(err as Error).message}`);
  }
  need(c.topics.sensors.length > 0, 'topics.sensors must list at least one topic pattern, e.g. plant/+machine/+channel');
  if (c.partition !== null) checkPartition(c, need);
  for (const t of ['alerts', 'state'] as const) need(/\{machine\}/.test(c.topics[t]) && !/[+#]/.test(c.topics[t]), `topics.${t} must contain {machine} and no wildcards, got '${c.topics[t]}'`);
  need(count(c.payload.maxBytes), `payload.maxBytes must be a positive integer, got ${c.payload.maxBytes}`);
  need(positive(c.sampling.periodMs), `sampling.periodMs must be > 0 (milliseconds between samples), got ${c.sampling.periodMs}`);
  need(c.sampling.toleranceMs >= 0 && c.sampling.toleranceMs <= c.sampling.periodMs / 2, `sampling.toleranceMs must be between 0 and half of periodMs (${c.sampling.periodMs / 2}), got ${c.sampling.toleranceMs}`);
  need(c.sampling.maxHoldMs >= 0, `sampling.maxHoldMs must be >= 0, got ${c.sampling.maxHoldMs}`);
  need(count(c.windows.stride), `windows.stride must be a positive integer, got ${c.windows.stride}`);
  need(positive(c.windows.maxGapMs), `windows.maxGapMs must be > 0, got ${c.windows.maxGapMs}`);
  need(count(c.scoring.maxBatch) && c.scoring.maxBatch <= 4096, `scoring.maxBatch must be an integer from 1 to 4096, got ${c.scoring.maxBatch}`);
  need(SCORING_MODES.includes(c.scoring.mode), `scoring.mode must be ${SCORING_MODES.join(' or ')}, got '${c.scoring.mode}'`);
  if (c.scoring.mode === 'stream' && c.model.path === null) {
    need(c.model.starter.architecture === 'lstm-forecaster', `scoring.mode 'stream' steps an LSTM forecaster, but the starter model is ${c.model.starter.architecture}: set model.starter.architecture to lstm-forecaster or scoring.mode to window`);
  }
  try {
    checkDecisionPolicy(c.decision);
  } catch (err) {
    problems.push(`decision: ${(err as Error).message.replace(/^decision policy: /, '')}`);
  }
  for (const k of ['batchSize', 'every', 'bufferWindows'] as const) need(count(c.learning[k]), `learning.${k} must be a positive integer, got ${c.learning[k]}`);
  need(count(c.learning.recalibrateEvery, 0), `learning.recalibrateEvery must be an integer >= 0 (0: never), got ${c.learning.recalibrateEvery}`);
  need(positive(c.outbox.maxBytes), `outbox.maxBytes must be > 0, got ${c.outbox.maxBytes}`);
  need(positive(c.outbox.maxAgeMs), `outbox.maxAgeMs must be > 0, got ${c.outbox.maxAgeMs}`);
  need(positive(c.outbox.retryMs), `outbox.retryMs must be > 0, got ${c.outbox.retryMs}`);
  need(count(c.limits.maxMachines), `limits.maxMachines must be a positive integer, got ${c.limits.maxMachines}`);
  need(count(c.limits.maxQueuedMessages), `limits.maxQueuedMessages must be a positive integer, got ${c.limits.maxQueuedMessages}`);
  need(positive(c.shutdown.deadlineMs), `shutdown.deadlineMs must be > 0, got ${c.shutdown.deadlineMs}`);
  need(count(c.simulator.machines) && c.simulator.machines <= 10_000, `simulator.machines must be an integer from 1 to 10000, got ${c.simulator.machines}`);
  need(positive(c.simulator.intervalMs), `simulator.intervalMs must be > 0, got ${c.simulator.intervalMs}`);
  if (c.model.role !== null) need(c.model.role === 'autoencoder' || c.model.role === 'forecaster', `model.role must be autoencoder or forecaster, got '${c.model.role}'`);
  if (c.model.requireSignature) need(c.model.publicKeyFile !== null, 'model.requireSignature is true but model.publicKeyFile is not set: give the fleet public key (vigil keygen makes one)');
  if (c.model.path === null) need(c.simulator.enabled, 'model.path is not set and the simulator is off: give a model file (vigil train makes one), or enable the simulator to train a starter model');
  need(['lstm-forecaster', 'dense-ae', 'lstm-ae', 'conv-ae'].includes(c.model.starter.architecture), `model.starter.architecture must be lstm-forecaster, dense-ae, lstm-ae or conv-ae, got '${c.model.starter.architecture}'`);
}

function checkPartition(c: VigilConfig, need: (ok: boolean, msg: string) => void): void {
  const extra = Object.keys(c.partition!).filter((k) => k !== 'index' && k !== 'count');
  need(extra.length === 0, `partition.${extra[0]} is not a setting; partition takes index and count, e.g. { index: 0, count: 3 }`);
  try {
    createPartition(c.partition!);
  } catch (err) {
    need(false, (err as Error).message);
  }
  need(c.broker !== null, 'partition is set but broker is not: agents split a plant through the broker they share; set broker.url (an embedded broker serves one agent)');
  need(!c.topics.sensors.some((p) => p.startsWith('$share/')), 'partition and a $share/ pattern in topics.sensors both divide the machines between agents: use one of them');
}

export interface ResolveInput {
  readonly file?: Obj;
  readonly fileName?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Flag overrides as a partial config. */
  readonly flags?: Obj;
}

export function resolveConfig({ file = {}, fileName = 'defaults', env = process.env, flags = {} }: ResolveInput = {}): VigilConfig {
  const problems: string[] = [];
  checkShape(file, DEFAULT_CONFIG, '', problems);
  const fromEnv = configFromEnv(env);
  problems.push(...fromEnv.problems);
  let merged = merge(merge(merge(DEFAULT_CONFIG, file), fromEnv.config), flags) as Obj;
  // The simulator defaults to on exactly when the broker is embedded, unless set explicitly.
  const simulatorSet = [file, fromEnv.config, flags].some((o) => isObj(o.simulator) && 'enabled' in o.simulator);
  if (!simulatorSet && merged.broker !== null) merged = merge(merged, { simulator: { enabled: false } }) as Obj;
  if (problems.length === 0) checkValues(merged as unknown as VigilConfig, env, problems);
  if (problems.length) throw new ConfigError(problems, fileName);
  return merged as unknown as VigilConfig;
}

/** The config as a user may see it: secrets are never in it (passwords come from env or files). */
export function describeConfig(c: VigilConfig): string {
  return JSON.stringify(c, null, 2);
}
