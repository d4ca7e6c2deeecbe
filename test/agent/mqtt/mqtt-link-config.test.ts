import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveMqttLinkConfig, safeUrlOf } from '../../../agent/mqtt/mqtt-link-config.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-link-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SECRET = 's3cr3t-Pa55';

describe('resolveMqttLinkConfig', () => {
  it('defaults: MQTT 3.1.1, clean session, our own reconnect, nothing queued by mqtt.js', () => {
    const r = resolveMqttLinkConfig({ url: 'mqtt://127.0.0.1:1883' });
    expect(r.protocolVersion).toBe(4);
    expect(r.clientId).toMatch(/^vigil-[0-9a-f]{12}$/);
    expect(r.clientOptions).toMatchObject({ clean: true, keepalive: 30, reconnectPeriod: 0, resubscribe: false, queueQoSZero: false });
    expect(r.backoff).toEqual({ initialMs: 500, maxMs: 30_000, factor: 2 });
  });

  it('MQTT 5: sends a receive maximum, and a session expiry when the session is kept', () => {
    const clean = resolveMqttLinkConfig({ url: 'mqtt://h', protocolVersion: 5 });
    expect(clean.clientOptions.properties).toEqual({ receiveMaximum: 1000 });
    const kept = resolveMqttLinkConfig({ url: 'mqtt://h', protocolVersion: 5, clean: false, clientId: 'edge-1', sessionExpirySeconds: 600 });
    expect(kept.clientOptions).toMatchObject({ clean: false, clientId: 'edge-1', properties: { receiveMaximum: 1000, sessionExpiryInterval: 600 } });
  });

  it('reads the password from a file (one trailing newline dropped) or from the environment', () => {
    const file = join(dir, 'pw');
    writeFileSync(file, `${SECRET}\n`);
    expect(resolveMqttLinkConfig({ url: 'mqtt://h', username: 'u', password: { file } }).clientOptions.password).toBe(SECRET);
    expect(resolveMqttLinkConfig({ url: 'mqtt://h', username: 'u', password: { env: 'PW' } }, { PW: SECRET }).clientOptions.password).toBe(SECRET);
  });

  it('scrub() blanks the password out of any text', () => {
    const r = resolveMqttLinkConfig({ url: 'mqtt://h', username: 'u', password: { env: 'PW' } }, { PW: SECRET });
    expect(r.scrub(`bad ${SECRET} and ${SECRET}`)).toBe('bad *** and ***');
  });

  it('refuses bad configs, naming the field and the fix, and never echoing a password', () => {
    const cases: [object, RegExp][] = [
      [{ url: 'http://h' }, /url 'http:\/\/h' must start with mqtt:\/\/ or mqtts:\/\//],
      [{ url: 'not a url' }, /url .* is not a URL/],
      [{ url: `mqtt://u:${SECRET}@h` }, /url 'mqtt:\/\/\*\*\*@h' carries a password; move it to password.file or password.env/],
      [{ url: 'mqtt://h', protocolVersion: 3 }, /protocolVersion must be 4/],
      [{ url: 'mqtt://h', clean: false }, /clientId is required when clean is false/],
      [{ url: 'mqtt://h', username: 'u', password: { env: 'NOPE' } }, /password.env names 'NOPE', which is not set/],
      [{ url: 'mqtt://h', username: 'u', password: { file: join(dir, 'missing') } }, /password.file '.*missing' cannot be read \(ENOENT\)/],
      [{ url: 'mqtt://h', password: { env: 'PW' } }, /username is required/],
      [{ url: 'mqtt://h', tls: { caFile: 'x' } }, /tls is set but url 'mqtt:\/\/h' is mqtt:\/\/; use mqtts:\/\//],
      [{ url: 'mqtts://h', tls: { certFile: 'c' } }, /both certFile and keyFile/],
      [{ url: 'mqtts://h', tls: { caFile: join(dir, 'nope.crt') } }, /tls.caFile '.*nope.crt' cannot be read/],
      [{ url: 'mqtt://h', protocolVersion: 5, receiveMaximum: 70000 }, /receiveMaximum must be an integer from 0 to 65535/],
      [{ url: 'mqtt://h', reconnect: { initialMs: -1 } }, /reconnect.initialMs/],
    ];
    for (const [config, message] of cases) {
      let error: Error | null = null;
      try {
        resolveMqttLinkConfig(config as never, { PW: SECRET });
      } catch (e) {
        error = e as Error;
      }
      expect(error?.message, JSON.stringify(config)).toMatch(message);
      expect(error?.message).not.toContain(SECRET);
    }
  });

  it('safeUrlOf drops user info', () => {
    expect(safeUrlOf('mqtts://user:pw@broker:8883')).toBe('mqtts://***@broker:8883');
    expect(safeUrlOf('mqtt://broker:1883')).toBe('mqtt://broker:1883');
  });
});
