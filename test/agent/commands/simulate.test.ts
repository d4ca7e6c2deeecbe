// `vigil simulate` as a child process (node --import tsx agent/cli.ts simulate ...): publishing to the
// embedded broker, stopping on SIGTERM, writing logs that replay and train, and refusing bad arguments.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AddressInfo, createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { Aedes } from 'aedes';
import { CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateCommand } from '../../../agent/commands/simulate.js';
import { EXIT_OK, EXIT_USAGE, exitCodeFor } from '../../../agent/commands/errors.js';
import { type EmbeddedBroker, openEmbeddedBroker } from '../../../agent/mqtt/embedded-broker.js';
import { type OpenedMqttLink, openMqttLink } from '../../../agent/mqtt/mqtt-link.js';
import { parseFaultSpec } from '../../../agent/source/simulator-spec.js';
import { CHANNELS, simulate } from '../../../agent/source/simulator.js';
import { waitFor } from '../../helpers/wait-for.js';
import { REPO, runCli } from './run-cli.js';

interface Child {
  readonly process: ChildProcess;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcess>();
function vigil(args: readonly string[], env: NodeJS.ProcessEnv = {}): Child {
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('VIGIL_')) clean[k] = v;
  const child = spawn(process.execPath, ['--import', 'tsx', 'agent/cli.ts', ...args], { cwd: REPO, env: { ...clean, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => {
    children.delete(child);
    done({ code, signal });
  }));
  return { process: child, stdout: () => out, stderr: () => err, exited };
}

let broker: EmbeddedBroker;
let sub: OpenedMqttLink;
const received: { topic: string; payload: string }[] = [];
const dir = mkdtempSync(join(tmpdir(), 'vigil-simulate-'));

beforeAll(async () => {
  broker = await openEmbeddedBroker();
  sub = await openMqttLink({ url: broker.url });
  await sub.untilConnected(10_000);
  sub.onMessage((topic, payload) => received.push({ topic, payload: payload.toString() }));
  await sub.subscribe('#', 1);
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await sub?.close();
  await broker?.close();
  rmSync(dir, { recursive: true, force: true });
});
const under = (prefix: string) => received.filter((m) => m.topic.startsWith(`${prefix}/`));

describe.concurrent('vigil simulate: publish', () => {
  it('publishes exactly the simulator\'s messages for the duration, then exits 0 with a summary', async () => {
    const fault = 'pump-02:level-shift@500ms:-0.5:pressure';
    const child = vigil(['simulate', '--broker', broker.url, '--machines', '2', '--interval-ms', '100', '--duration-seconds', '2', '--qos', '1', '--topic-prefix', 'site1', '--seed', '5', '--fault', fault]);
    const exit = await child.exited;
    expect(child.stderr()).toMatch(/simulate: 2 machines every 100 ms × speed 1 → mqtt:\/\/127\.0\.0\.1:\d+ as site1\/<machine>\/<channel>, QoS 1, from 20\d\d-/);
    expect(child.stderr()).toMatch(/simulate: done after [\d.]+ s: 200 messages sent \(\d+ msg\/s\), 0 dropped; faults active: pump-02 level-shift\(pressure\); drift: none\n$/);
    expect(exit).toEqual({ code: 0, signal: null });
    await waitFor('all 200 messages at the subscriber', () => under('site1').length >= 200);
    const got = under('site1');
    expect(got).toHaveLength(200); // 20 ticks × 2 machines × 5 channels
    const first = JSON.parse(got[0].payload) as { ts: number; value: number };
    expect(Math.abs(first.ts - Date.now())).toBeLessThan(60_000); // speed 1 starts now
    const want = [...simulate({ seed: 5, machines: 2, intervalMs: 100, durationMs: 2000, start: first.ts, topicPrefix: 'site1', faults: parseFaultSpec(fault, ['pump-01', 'pump-02']) })];
    expect(got).toEqual(want.map((m) => ({ topic: m.topic, payload: m.payload.toString() })));
    expect(new Set(got.map((m) => m.topic))).toEqual(new Set(['pump-01', 'pump-02'].flatMap((id) => CHANNELS.map((ch) => `site1/${id}/${ch}`))));
  });

  it('per-machine layout at speed 60 starts in the past, runs until SIGTERM, and then exits 0', async () => {
    const child = vigil(['simulate', '--broker', broker.url, '--machines', '3', '--interval-ms', '1000', '--speed', '60', '--layout', 'per-machine', '--topic-prefix', 'site2', '--drift', '*:ambient@0+1h:5', '--progress-seconds', '0.2']);
    await waitFor('30 messages and a progress line', () => under('site2').length >= 30 && /sent \(/.test(child.stderr()), { detail: child.stderr });
    expect(child.stderr()).toMatch(/^simulate: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ  \d+ sent \(\d+ msg\/s\)  faults: none  drift: pump-01 ambient, pump-02 ambient, pump-03 ambient  connected$/m);
    child.process.kill('SIGTERM');
    const exit = await child.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(child.stderr()).toMatch(/simulate: stopped by SIGTERM after [\d.]+ s: \d+ messages sent .*; faults active: none; drift: pump-01 ambient, pump-02 ambient, pump-03 ambient\n$/);
    const got = under('site2');
    expect(new Set(got.map((m) => m.topic))).toEqual(new Set(['site2/pump-01', 'site2/pump-02', 'site2/pump-03']));
    const payloads = got.map((m) => JSON.parse(m.payload) as { ts: number; values: Record<string, number> });
    for (const p of payloads) expect(Object.keys(p.values)).toEqual([...CHANNELS]);
    // A minute of event time per second of wall time, started a day's gain (59 days) in the past.
    const ts = [...new Set(payloads.map((p) => p.ts))];
    expect(ts[1] - ts[0]).toBe(1000);
    expect(ts.at(-1)!).toBeLessThan(Date.now() - 50 * 86_400_000);
  });

  it('logs in with --username and a password from VIGIL_SIMULATE_PASSWORD or --password-file; without one the broker refuses it', async () => {
    const logins: string[] = [];
    let published = 0;
    const aedes = await Aedes.createBroker({
      authenticate: (_client, username, password, done) => {
        logins.push(`${username}:${password?.toString()}`);
        done(null, username === 'sim' && password?.toString() === 's3cret');
      },
    });
    aedes.on('publish', (packet, client) => void (client && packet.topic.startsWith('auth/') && published++));
    const server = createServer((socket) => aedes.handle(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const secret = join(dir, 'password');
    writeFileSync(secret, 's3cret\n');
    try {
      const args = ['simulate', '--broker', url, '--machines', '1', '--interval-ms', '100', '--duration-seconds', '0.5', '--topic-prefix', 'auth', '--connect-timeout-seconds', '5'];
      const [fromEnv, fromFile, none] = await Promise.all([
        vigil([...args, '--username', 'sim'], { VIGIL_SIMULATE_PASSWORD: 's3cret' }).exited,
        vigil([...args, '--username', 'sim', '--password-file', secret]).exited,
        runCli([...args.slice(0, -1), '1', '--username', 'sim']),
      ]);
      expect([fromEnv, fromFile]).toEqual([{ code: 0, signal: null }, { code: 0, signal: null }]);
      expect(published).toBe(2 * 5 * 5);
      expect(none.code).toBe(1);
      expect(none.stderr).toMatch(/no connection to mqtt:\/\/127\.0\.0\.1:\d+ within 1000 ms \(last error: .*(Not authorized|Bad username or password).*\)/i);
      expect(none.stderr).not.toContain('s3cret');
      expect(logins.filter((l) => l === 'sim:s3cret')).toHaveLength(2);
    } finally {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      server.close();
    }
  });

  it('gives up with exit 1 when no broker answers, naming it', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const r = await runCli(['simulate', '--broker', `mqtt://127.0.0.1:${port}`, '--connect-timeout-seconds', '0.5']);
    expect(r.stderr).toMatch(new RegExp(`vigil: no connection to mqtt://127\\.0\\.0\\.1:${port} within 500 ms \\(last error: .*ECONNREFUSED.*\\): is the broker running, and are --broker and --username right\\?`));
    expect(r.code).toBe(1);
  });
});

describe.concurrent('vigil simulate: log', () => {
  it('writes a labelled JSONL log that vigil train reads: the five channels, faulted rows left out, drifting ones kept', async () => {
    const log = join(dir, 'plant.jsonl');
    const r = await runCli(['simulate', '--out', log, '--hours', '2', '--interval-ms', '10000', '--machines', '2', '--fault', 'pump-02:cavitation@1h', '--drift', 'pump-01:load@90m+10m']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('wrote 1440 samples of 2 machines to ' + log + ' (jsonl)\n  anomalous: 360 (cavitation 360)\n  drifting:  180 (load 180)\n');
    expect(readFileSync(log, 'utf8').split('\n')[0]).toMatch(/^\{"topic":"plant\/pump-01","ts":1704067200000,"machine":"pump-01","values":\{"vibration":[\d.]+,"current":/);
    const t = await runCli(['train', '--data', log, '--model', 'dense-ae', '--window', '8', '--epochs', '1', '--out', join(dir, 'm.onnx')]);
    expect(t.code).toBe(0);
    expect(t.stderr).toMatch(/left out 360 rows labelled anomalous/);
    expect(t.stdout).toMatch(/1080 samples in \d+ series \(2 machines\), 5 channels: vibration, current, temperature, pressure, flow/);
  });

  it('--samples counts per machine; the CSV has the label columns', async () => {
    const log = join(dir, 'plant.csv');
    const r = await runCli(['simulate', '--out', log, '--samples', '10', '--machines', '3', '--fault', 'pump-01:sensor-stuck@0:flow', '--start', '2025-03-01T12:00:00Z']);
    expect(r.code).toBe(0);
    const lines = readFileSync(log, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('timestamp,machine,vibration,current,temperature,pressure,flow,anomaly,fault,drift');
    expect(lines).toHaveLength(31);
    expect(lines[1]).toMatch(/^2025-03-01T12:00:00\.000Z,pump-01,.*,1,sensor-stuck,0$/);
    expect(lines[2]).toMatch(/^2025-03-01T12:00:00\.000Z,pump-02,.*,0,,0$/);
  });
});

/** The command in this process (no child start-up): exit code as the CLI would map it, and its messages. */
async function inProcess(args: readonly string[]): Promise<{ code: number; message: string }> {
  let message = '';
  const cmd = simulateCommand().exitOverride().configureOutput({ writeErr: (t) => void (message += t), writeOut: () => {} });
  try {
    await cmd.parseAsync(args, { from: 'user' });
    return { code: EXIT_OK, message };
  } catch (err) {
    return { code: err instanceof CommanderError ? EXIT_USAGE : exitCodeFor(err), message: message + (err as Error).message };
  }
}

describe('vigil simulate: bad arguments exit 2 naming the option and the fix', () => {
  it('through the CLI: a spec error and an option error', async () => {
    const [spec, option] = await Promise.all([runCli(['simulate', '--fault', 'pump-01:rust@1m']), runCli(['simulate', '--machines', '0'])]);
    expect(spec.stderr).toMatch(/^vigil: --fault 'pump-01:rust@1m': unknown fault kind 'rust'; the kinds are bearing-wear, .*level-shift \(write machine:kind@onset/m);
    expect(option.stderr).toMatch(/option '--machines <n>' argument '0' is invalid\. expected an integer >= 1/);
    expect([spec.code, option.code]).toEqual([2, 2]);
  });

  it.each([
    [['--fault', 'pump-04:cavitation@1m'], /machine 'pump-04' is not simulated; the machines are pump-01, pump-02, pump-03 \(raise --machines/],
    [['--drift', 'pump-01:ambient@soon'], /--drift 'pump-01:ambient@soon': onset 'soon' is not a duration/],
    [['--hours', '1'], /--hours: only for writing a log; add --out FILE\.csv or FILE\.jsonl/],
    [['--out', 'x.parquet', '--hours', '1'], /--out x\.parquet: name the log FILE\.csv or FILE\.jsonl/],
    [['--out', 'x.csv'], /--out needs how much to record: give --hours H or --samples N/],
    [['--out', 'x.csv', '--hours', '1', '--samples', '5'], /give --hours H or --samples N \(per machine\), one of them/],
    [['--out', 'x.csv', '--hours', '1', '--speed', '5', '--qos', '1'], /--speed, --qos: only for publishing/],
    [['--out', '/no/such/dir/x.csv', '--hours', '1'], /the directory \/no\/such\/dir does not exist or is not writable/],
    [['--broker', 'http://h:1883'], /--broker 'http:\/\/h:1883' must start with mqtt:\/\/ or mqtts:\/\//],
    [['--password-file', '/nope'], /--password-file needs --username/],
    [['--username', 'u', '--password-file', '/nope'], /--password-file '\/nope' cannot be read \(ENOENT\)/],
    [['--layout', 'per-sensor'], /Allowed choices are per-channel, per-machine/],
    [['--speed', '0'], /option '--speed <x>' argument '0' is invalid\. expected a number from 0\.001 to 1000000/],
    [['--topic-prefix', 'plant/#'], /--topic-prefix 'plant\/#': use topic levels of letters/],
    [['--start', 'yesterday'], /--start 'yesterday': give a date-time like 2024-06-01T00:00:00Z or epoch milliseconds/],
  ])('%j', async (args, message) => {
    const r = await inProcess(args);
    expect(r.message).toMatch(message);
    expect(r.code).toBe(2);
  });
});
