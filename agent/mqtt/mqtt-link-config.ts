// What openMqttLink needs to reach a broker, checked once at start (every message names the field and
// the fix), and turned into mqtt.js client options. Secrets are read here, from a file or an environment
// variable, never from the config itself; the result keeps the password only inside `clientOptions`
// and offers `scrub` to blank it out of any text before it is logged or thrown.

import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { IClientOptions } from 'mqtt';
import { type BackoffPolicy, DEFAULT_BACKOFF, checkBackoff } from './backoff.js';

export interface MqttLinkConfig {
  /** mqtt://host:port or mqtts://host:port. No password in the URL: use `password`. */
  readonly url: string;
  /** 4 = MQTT 3.1.1 (default, what the embedded broker speaks), 5 = MQTT 5. */
  readonly protocolVersion?: 4 | 5;
  /** Default: vigil-<random>. Required (stable) for a persistent session. */
  readonly clientId?: string;
  readonly username?: string;
  /** Where the password comes from: an environment variable or a file (trailing newline ignored). */
  readonly password?: { readonly env: string } | { readonly file: string };
  /** Only with mqtts://. Files are read once, at open. */
  readonly tls?: {
    readonly caFile?: string;
    readonly certFile?: string;
    readonly keyFile?: string;
    /** TLS SNI and the name the broker certificate must carry. Default: the URL's host name. */
    readonly servername?: string;
    /** Default true. false accepts any broker certificate: for lab use only. */
    readonly rejectUnauthorized?: boolean;
  };
  /** false keeps the session (subscriptions, queued QoS 1 messages) across disconnects. Default true. */
  readonly clean?: boolean;
  /** MQTT 5, clean false: how long the broker keeps the session after a disconnect. Default 3600. */
  readonly sessionExpirySeconds?: number;
  /** Default 30. */
  readonly keepaliveSeconds?: number;
  /** How long to wait for CONNACK. Default 10000. */
  readonly connectTimeoutMs?: number;
  /** MQTT 5: QoS 1 messages the broker may have in flight to us. Default 1000 (see mqtt-link.ts). */
  readonly receiveMaximum?: number;
  /** Publishes in flight at once (QoS 0 until written, QoS 1 until PUBACK), also capped by the
   *  broker's receive maximum; the rest wait in order. Default 500. */
  readonly maxInflight?: number;
  readonly reconnect?: Partial<BackoffPolicy>;
}

export interface ResolvedLinkConfig {
  readonly url: string;
  /** The URL safe to log (no user info). */
  readonly safeUrl: string;
  readonly clientId: string;
  readonly protocolVersion: 4 | 5;
  readonly clean: boolean;
  readonly maxInflight: number;
  readonly backoff: BackoffPolicy;
  readonly clientOptions: IClientOptions;
  /** Replaces the password, wherever it occurs in `text`, by '***'. */
  scrub(text: string): string;
}

function fail(field: string, why: string): never {
  throw new Error(`mqtt link config: ${field} ${why}`);
}

function readConfigFile(field: string, path: string): Buffer {
  if (typeof path !== 'string' || path === '') fail(field, 'must be a file path');
  try {
    return readFileSync(path);
  } catch (e) {
    return fail(field, `'${path}' cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'}); check the path and its permissions`);
  }
}

function positiveInt(field: string, v: number | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < 0 || v > max) fail(field, `must be an integer from 0 to ${max}, got ${v}`);
  return v;
}

/** The URL with any user info removed, for logs and error messages. */
export function safeUrlOf(url: string): string {
  const at = url.lastIndexOf('@');
  const scheme = url.indexOf('://');
  return at > scheme && scheme >= 0 ? `${url.slice(0, scheme + 3)}***@${url.slice(at + 1)}` : url;
}

export function resolveMqttLinkConfig(config: MqttLinkConfig, env: NodeJS.ProcessEnv = process.env): ResolvedLinkConfig {
  if (!config || typeof config !== 'object') fail('', 'must be an object with at least { url }');
  const safeUrl = safeUrlOf(String(config.url));
  let parsed: URL;
  try {
    parsed = new URL(config.url);
  } catch {
    return fail('url', `'${safeUrl}' is not a URL; write mqtt://host:1883 or mqtts://host:8883`);
  }
  if (parsed.protocol !== 'mqtt:' && parsed.protocol !== 'mqtts:') fail('url', `'${safeUrl}' must start with mqtt:// or mqtts://`);
  if (parsed.password) fail('url', `'${safeUrl}' carries a password; move it to password.file or password.env`);
  const tlsUrl = parsed.protocol === 'mqtts:';
  const protocolVersion = config.protocolVersion ?? 4;
  if (protocolVersion !== 4 && protocolVersion !== 5) fail('protocolVersion', `must be 4 (MQTT 3.1.1) or 5 (MQTT 5), got ${String(protocolVersion)}`);
  const clean = config.clean ?? true;
  if (!clean && !config.clientId) fail('clientId', 'is required when clean is false: the broker finds the kept session by it');
  const clientId = config.clientId ?? `vigil-${randomBytes(6).toString('hex')}`;

  let password: string | undefined;
  const source = config.password;
  if (source !== undefined) {
    if ('env' in source && typeof source.env === 'string') {
      password = env[source.env];
      if (password === undefined) fail('password.env', `names '${source.env}', which is not set in the environment`);
    } else if ('file' in source && typeof source.file === 'string') {
      password = readConfigFile('password.file', source.file).toString('utf8').replace(/\r?\n$/, '');
    } else {
      fail('password', "must be { env: 'VAR_NAME' } or { file: '/path/to/secret' }");
    }
    if (config.username === undefined) fail('username', 'is required when a password is given');
  }
  const secret = password;
  const scrub = (text: string): string => (secret ? text.split(secret).join('***') : text);

  const tls = config.tls;
  if (tls && !tlsUrl) fail('tls', `is set but url '${safeUrl}' is mqtt://; use mqtts:// to connect over TLS`);
  if (tls && (tls.certFile === undefined) !== (tls.keyFile === undefined)) fail('tls', 'needs both certFile and keyFile for a client certificate, or neither');

  const sessionExpirySeconds = positiveInt('sessionExpirySeconds', config.sessionExpirySeconds, 3600, 0xffffffff);
  const receiveMaximum = positiveInt('receiveMaximum', config.receiveMaximum, 1000, 65535);
  if (receiveMaximum === 0) fail('receiveMaximum', 'must be at least 1');
  const maxInflight = positiveInt('maxInflight', config.maxInflight, 500, 65535);
  if (maxInflight === 0) fail('maxInflight', 'must be at least 1');
  const backoff = checkBackoff({ ...DEFAULT_BACKOFF, ...config.reconnect });

  const clientOptions: IClientOptions = {
    protocolVersion,
    clientId,
    clean,
    keepalive: positiveInt('keepaliveSeconds', config.keepaliveSeconds, 30, 65535),
    connectTimeout: positiveInt('connectTimeoutMs', config.connectTimeoutMs, 10_000),
    // Reconnection is ours (jittered backoff, one fresh client per attempt), as are re-subscription
    // and retries: nothing may wait in mqtt.js's memory across a disconnect.
    reconnectPeriod: 0,
    resubscribe: false,
    queueQoSZero: false,
    ...(config.username !== undefined ? { username: config.username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(protocolVersion === 5
      ? { properties: { receiveMaximum, ...(clean ? {} : { sessionExpiryInterval: sessionExpirySeconds }) } }
      : {}),
    ...(tls
      ? {
          ...(tls.caFile !== undefined ? { ca: readConfigFile('tls.caFile', tls.caFile) } : {}),
          ...(tls.certFile !== undefined ? { cert: readConfigFile('tls.certFile', tls.certFile) } : {}),
          ...(tls.keyFile !== undefined ? { key: readConfigFile('tls.keyFile', tls.keyFile) } : {}),
          ...(tls.servername !== undefined ? { servername: tls.servername } : {}),
          rejectUnauthorized: tls.rejectUnauthorized ?? true,
        }
      : {}),
  };
  return { url: config.url, safeUrl, clientId, protocolVersion, clean, maxInflight, backoff, clientOptions, scrub };
}
