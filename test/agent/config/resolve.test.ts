import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfigFile, resolveConfig } from '../../../agent/config/resolve.js';
import { problemsOf } from '../../helpers/config-problems.js';

describe('resolveConfig', () => {
  it('defaults run everything on this machine: embedded broker, simulator, starter model', () => {
    const c = resolveConfig({ env: {} });
    expect(c.broker).toBeNull();
    expect(c.simulator.enabled).toBe(true);
    expect(c.model.path).toBeNull();
  });

  it('a configured broker turns the simulator off unless asked for', () => {
    expect(resolveConfig({ env: {}, file: { broker: { url: 'mqtt://10.0.0.5:1883' }, model: { path: 'm.onnx' } } }).simulator.enabled).toBe(false);
    expect(resolveConfig({ env: {}, file: { broker: { url: 'mqtt://10.0.0.5:1883' }, simulator: { enabled: true } } }).simulator.enabled).toBe(true);
  });

  it('environment overrides the file, flags override the environment', () => {
    const c = resolveConfig({
      file: { sampling: { periodMs: 2000, toleranceMs: 100 }, log: { level: 'warn' } },
      env: { VIGIL_SAMPLING_PERIOD_MS: '500', VIGIL_LOG_LEVEL: 'debug', VIGIL_TOPICS_SENSORS: 'a/+machine/+channel, b/+machine/+channel' },
      flags: { log: { level: 'error' } },
    });
    expect(c.sampling.periodMs).toBe(500);
    expect(c.sampling.toleranceMs).toBe(100);
    expect(c.log.level).toBe('error');
    expect(c.topics.sensors).toEqual(['a/+machine/+channel', 'b/+machine/+channel']);
  });

  it('names every problem with its field, the rule and the value, and suggests fixes for typos', () => {
    const problems = problemsOf(() =>
      resolveConfig({ env: { VIGIL_HTTP_PORT: 'eighty' }, file: { sampling: { perodMs: 1000 }, windows: { stride: 0 }, topics: { alerts: 'vigil/alerts' }, logg: {} } }),
    );
    expect(problems.join('\n')).toMatch(/VIGIL_HTTP_PORT=eighty: must be a number/);
    expect(problems.join('\n')).toMatch(/sampling\.perodMs is not a setting \(did you mean 'periodMs'\?\)/);
    expect(problems.join('\n')).toMatch(/logg is not a setting \(did you mean 'log'\?\)/);
    const values = problemsOf(() => resolveConfig({ env: {}, file: { windows: { stride: 0 }, topics: { alerts: 'vigil/alerts' }, decision: { raise: { k: 6, n: 5 } } } }));
    expect(values.join('\n')).toMatch(/windows\.stride must be a positive integer, got 0/);
    expect(values.join('\n')).toMatch(/topics\.alerts must contain \{machine\}/);
    expect(values.join('\n')).toMatch(/decision: raise\.k \(6\) cannot exceed raise\.n \(5\)/);
  });

  it('checks broker settings through the MQTT link rules (a password file that is not there)', () => {
    const problems = problemsOf(() => resolveConfig({ env: {}, file: { broker: { url: 'mqtt://h:1883', username: 'u', password: { file: '/nonexistent/pw' } }, model: { path: 'x.onnx' } } }));
    expect(problems.join('\n')).toMatch(/^broker: .*password/m);
  });

  it('reads YAML and JSON files and refuses what is not a mapping', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-config-'));
    writeFileSync(join(dir, 'a.yaml'), 'sampling:\n  periodMs: 250\n  toleranceMs: 100\n');
    writeFileSync(join(dir, 'b.json'), '{"log": {"level": "warn"}}');
    writeFileSync(join(dir, 'c.yaml'), '- just\n- a list\n');
    writeFileSync(join(dir, 'd.yaml'), 'sampling: [unclosed');
    expect(resolveConfig({ env: {}, file: readConfigFile(join(dir, 'a.yaml')) }).sampling.periodMs).toBe(250);
    expect(resolveConfig({ env: {}, file: readConfigFile(join(dir, 'b.json')) }).log.level).toBe('warn');
    expect(() => readConfigFile(join(dir, 'c.yaml'))).toThrow(/top level must be a mapping/);
    expect(() => readConfigFile(join(dir, 'd.yaml'))).toThrow(/not valid YAML/);
    expect(() => readConfigFile(join(dir, 'missing.yaml'))).toThrow(/ENOENT; check the path/);
  });
});

describe('resolveConfig: deployment overrides', () => {
  it('broker credentials, TLS files and session settings come from the environment', () => {
    const c = resolveConfig({
      env: { VIGIL_BROKER_URL: 'mqtt://10.0.0.5:1883', VIGIL_BROKER_CLIENT_ID: 'edge-7', VIGIL_BROKER_CLEAN: 'false', VIGIL_BROKER_PROTOCOL_VERSION: '5', VIGIL_BROKER_USERNAME: 'vigil', VIGIL_BROKER_PASSWORD_ENV: 'MQTT_PW', MQTT_PW: 'secret', VIGIL_MODEL_PATH: 'm.onnx' },
    });
    expect(c.broker).toEqual({ url: 'mqtt://10.0.0.5:1883', clientId: 'edge-7', clean: false, protocolVersion: 5, username: 'vigil', password: { env: 'MQTT_PW' } });
  });

  it('log.pretty takes auto, true or false, in files and in the environment', () => {
    expect(resolveConfig({ env: {}, file: { log: { pretty: false } } }).log.pretty).toBe(false);
    expect(resolveConfig({ env: { VIGIL_LOG_PRETTY: 'true' } }).log.pretty).toBe(true);
    expect(problemsOf(() => resolveConfig({ env: {}, file: { log: { pretty: 'yes' } } })).join()).toMatch(/log\.pretty must be 'auto', true or false/);
  });
});
