// vigil simulate: the seeded pump plant (agent/source/simulator.ts) with injectable, labelled faults
// and drift, for demos, load tests and evaluations.
//   publish (default)  MQTT to --broker at --interval-ms per sample × --speed, until --duration-seconds
//                      or Ctrl-C/SIGTERM (exit 0). A slow broker slows the simulation (each tick waits
//                      for its publishes); while disconnected, messages are dropped and counted, as a
//                      sensor would lose them. A one-line progress goes to stderr.
//   log (--out FILE)   a recorded CSV or JSONL log with ground-truth labels (simulator-log.ts), as fast
//                      as the disk takes it; Ctrl-C keeps what was written.
// Specs (--fault, --drift) are parsed by simulator-spec.ts; every argument problem exits 2 naming it.

import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Command, Option } from 'commander';
import { openMqttLink, type LinkLogger, type OpenedMqttLink } from '../mqtt/mqtt-link.js';
import { parseReplayTime } from '../source/replay-time.js';
import { DRIFT_SPEC_GRAMMAR, FAULT_SPEC_GRAMMAR, SpecError, parseDriftSpec, parseFaultSpec } from '../source/simulator-spec.js';
import { SIMULATION_CSV_HEADER, simulationLogFormat, writeSimulationLog } from '../source/simulator-log.js';
import { DEFAULT_SIMULATION_START, runSimulator, type DriftSpec, type FaultSpec, type SimulatorConfig } from '../source/simulator.js';
import type { MessageLayout } from '../source/sensor-wire.js';
import { UsageError, integerAtLeast, numberIn } from './errors.js';

export const PASSWORD_ENV = 'VIGIL_SIMULATE_PASSWORD';
const DAY_MS = 86_400_000;

interface SimulateFlags {
  broker: string;
  machines: number;
  intervalMs: number;
  speed: number;
  layout: MessageLayout;
  topicPrefix: string;
  seed: number;
  durationSeconds?: number;
  fault?: string[];
  drift?: string[];
  qos: '0' | '1';
  username?: string;
  passwordFile?: string;
  connectTimeoutSeconds: number;
  progressSeconds?: number;
  start?: number;
  out?: string;
  hours?: number;
  samples?: number;
}

const HELP = `
Fault and drift specs (repeat --fault / --drift for more):
  --fault ${FAULT_SPEC_GRAMMAR}
  --drift ${DRIFT_SPEC_GRAMMAR}
  machine   pump-01, pump-02 ... (as many as --machines), or * for every machine
  onset     time after the start: 0, 500ms, 90s, 5m, 2h, 1.5d;  +ramp: time to the full effect
  ~duration how long a fault lasts (a repair ends it; default: it never ends), e.g. @10m+1m~30m
  faults    bearing-wear (vibration, then temperature, rise; ramp default 2d)  cavitation (pressure
            drops, flow noisy, vibration bursts; 10m)  overheating (temperature; 30m)
            sensor-stuck / sensor-spike / sensor-dropout (one channel, default vibration)
            level-shift (one channel steps by a signed relative amount and stays: :0.25 = 25 % up,
            :-0.3 = 30 % down; default 0.25; ramp default 0)
            severity 0..1 scales the effect (dropout: the fraction of samples lost)
  drifts    benign, labelled drift, not faults: calibration (one channel's gain, default temperature,
            +0.05 over 14d)  ambient (kelvin, +8 over 30d)  load (fraction of rated, -0.15 over 7d)
  channels  vibration, current, temperature, pressure, flow
  e.g.      --fault pump-02:bearing-wear@10m+2h   --fault pump-01:sensor-stuck@30s:pressure
            --fault pump-03:level-shift@1h:-0.3:flow   --drift '*:ambient@0+6h:10'

Publish mode (default) sends the sensor wire format Vigil reads by default:
  per-channel  <prefix>/<machine>/<channel>  {"ts": <epoch ms>, "value": 1.23}
  per-machine  <prefix>/<machine>            {"ts": <epoch ms>, "values": {"vibration": 1.23, ...}}
  --speed above 1 starts in the past, so the timestamps catch up with the clock at the end of
  --duration-seconds (or after a day without one) instead of running into the future.
  The broker password comes from --password-file or the ${PASSWORD_ENV} environment variable.

Log mode (--out FILE.csv | FILE.jsonl, with --hours or --samples per machine):
  CSV    ${SIMULATION_CSV_HEADER}
         anomaly 1 while a fault is active, fault = active kinds joined by '+', drift 1 while drifting
  JSONL  {"topic":"plant/pump-01","ts":...,"machine":"pump-01","values":{...},"labels":{"anomaly":0,"fault":"","drift":0}}
  JSONL replays with openReplay and trains with vigil train as it is (train leaves out rows with any
  label other than 0: faulted and drifting ones). CSV replays with openReplay and SIMULATION_CSV_REPLAY;
  vigil train still reads its fault and drift columns as channels: train on JSONL.
  Default start 2024-01-01T00:00:00Z.`;

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function eventTime(text: string): number {
  const t = parseReplayTime(text);
  if (t === undefined) throw new UsageError(`--start '${text}': give a date-time like 2024-06-01T00:00:00Z or epoch milliseconds`);
  return t;
}

export function simulateCommand(): Command {
  return new Command('simulate')
    .description('simulate pumps with labelled faults and drift: publish to an MQTT broker, or write a labelled CSV/JSONL log')
    .option('--broker <url>', 'MQTT broker to publish to', 'mqtt://127.0.0.1:1883')
    .option('--machines <n>', 'simulated machines (pump-01 ...)', integerAtLeast(1), 3)
    .option('--interval-ms <n>', 'event time between samples', integerAtLeast(1), 1000)
    .option('--speed <x>', 'event time per wall time (60 = an hour a minute)', numberIn(1e-3, 1e6, 'a number from 0.001 to 1000000'), 1)
    .addOption(new Option('--layout <layout>', 'one message per channel or per machine').choices(['per-channel', 'per-machine']).default('per-channel'))
    .option('--topic-prefix <prefix>', 'first topic level', 'plant')
    .option('--seed <n>', 'seed of the plant: same seed, same data', integerAtLeast(0), 1)
    .option('--duration-seconds <s>', 'stop after this long (default: until Ctrl-C)', numberIn(1e-3, Number.MAX_SAFE_INTEGER, 'a number of seconds > 0'))
    .option('--fault <spec>', `inject a fault: ${FAULT_SPEC_GRAMMAR} (repeatable)`, collect)
    .option('--drift <spec>', `add benign drift: ${DRIFT_SPEC_GRAMMAR} (repeatable)`, collect)
    .addOption(new Option('--qos <qos>', 'MQTT QoS of the sensor messages').choices(['0', '1']).default('0'))
    .option('--username <name>', 'broker user name')
    .option('--password-file <file>', `broker password file (or ${PASSWORD_ENV})`)
    .option('--connect-timeout-seconds <s>', 'give up (exit 1) when the broker is not reachable within this long', numberIn(0.1, 86_400, 'a number of seconds from 0.1 to 86400'), 10)
    .addOption(new Option('--progress-seconds <s>', 'progress line period (default 1 on a terminal, else 10)').argParser(numberIn(0.05, 3600, 'a number of seconds from 0.05 to 3600')).hideHelp())
    .option('--start <time>', 'event time of the first sample (date-time or epoch ms)', eventTime)
    .option('--out <file>', 'write a labelled log instead of publishing: FILE.csv or FILE.jsonl')
    .option('--hours <h>', 'log mode: event time to record', numberIn(1e-6, 24 * 365 * 100, 'a number of hours > 0'))
    .option('--samples <n>', 'log mode: samples per machine to record', integerAtLeast(1))
    .addHelpText('after', HELP)
    .action(async function (this: Command, flags: SimulateFlags) {
      const given = (name: string): boolean => this.getOptionValueSource(name) === 'cli';
      if (flags.out !== undefined) await writeLog(flags, given);
      else await publish(flags, given);
    });
}

/** The plant the flags describe; every spec problem is a UsageError naming the option. */
function plantConfig(flags: SimulateFlags): SimulatorConfig {
  const ids = Array.from({ length: flags.machines }, (_, i) => `pump-${String(i + 1).padStart(2, '0')}`);
  const parse = <T>(option: string, specs: string[], parser: (text: string, ids: readonly string[]) => T[]): T[] =>
    specs.flatMap((spec) => {
      try {
        return parser(spec, ids);
      } catch (err) {
        if (err instanceof SpecError) throw new UsageError(`${option} ${err.message}`);
        throw err;
      }
    });
  const faults: FaultSpec[] = parse('--fault', flags.fault ?? [], parseFaultSpec);
  const drifts: DriftSpec[] = parse('--drift', flags.drift ?? [], parseDriftSpec);
  if (!/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(flags.topicPrefix)) {
    throw new UsageError(`--topic-prefix '${flags.topicPrefix}': use topic levels of letters, digits, '_', '.', '-' separated by '/', with no wildcards`);
  }
  return { seed: flags.seed, machines: ids, intervalMs: flags.intervalMs, layout: flags.layout, topicPrefix: flags.topicPrefix, faults, drifts };
}

function refuse(flags: readonly string[], given: (name: string) => boolean, why: string): void {
  const wrong = flags.filter((f) => given(f.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())));
  if (wrong.length > 0) throw new UsageError(`${wrong.map((f) => `--${f}`).join(', ')}: ${why}`);
}

async function writeLog(flags: SimulateFlags, given: (name: string) => boolean): Promise<void> {
  const out = flags.out as string;
  refuse(['broker', 'speed', 'duration-seconds', 'qos', 'username', 'password-file', 'connect-timeout-seconds', 'progress-seconds', 'layout'], given, `only for publishing; with --out the log is written as fast as possible (drop the option, or drop --out to publish)`);
  if (simulationLogFormat(out) === undefined) throw new UsageError(`--out ${out}: name the log FILE.csv or FILE.jsonl (the format follows the extension)`);
  if ((flags.hours === undefined) === (flags.samples === undefined)) throw new UsageError('--out needs how much to record: give --hours H or --samples N (per machine), one of them');
  await access(dirname(out), constants.W_OK).catch(() => {
    throw new UsageError(`--out ${out}: the directory ${dirname(out)} does not exist or is not writable`);
  });
  const durationMs = flags.hours !== undefined ? Math.round(flags.hours * 3_600_000) : (flags.samples as number) * flags.intervalMs;
  const config: SimulatorConfig = { ...plantConfig(flags), start: flags.start ?? DEFAULT_SIMULATION_START, durationMs };
  const signal = { aborted: false };
  const stop = (): void => {
    signal.aborted = true;
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const s = await writeSimulationLog(config, out, { signal });
    const kinds = (counts: Readonly<Record<string, number>>): string => {
      const list = Object.entries(counts).map(([k, n]) => `${k} ${n}`);
      return list.length > 0 ? ` (${list.join(', ')})` : '';
    };
    process.stdout.write([
      `${s.stopped ? 'stopped early: ' : ''}wrote ${s.samples} samples of ${flags.machines} machine${flags.machines === 1 ? '' : 's'} to ${out} (${s.format})`,
      `  anomalous: ${s.anomalous}${kinds(s.byFault)}`,
      `  drifting:  ${s.drifting}${kinds(s.byDrift)}`,
      ...(s.empty > 0 ? [`  left out:  ${s.empty} samples whose every channel had dropped out`] : []),
    ].join('\n') + '\n');
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
  }
}

/** The first event time: in the past by what --speed will gain on the clock, so timestamps end at "now". */
function publishStart(flags: SimulateFlags, now: number): number {
  if (flags.start !== undefined) return flags.start;
  const wallMs = flags.durationSeconds !== undefined ? flags.durationSeconds * 1000 : DAY_MS;
  const ahead = flags.speed > 1 ? (flags.speed - 1) * wallMs : 0;
  return Math.floor((now - ahead) / flags.intervalMs) * flags.intervalMs;
}

async function publish(flags: SimulateFlags, given: (name: string) => boolean): Promise<void> {
  refuse(['hours', 'samples'], given, 'only for writing a log; add --out FILE.csv or FILE.jsonl, or use --duration-seconds when publishing');
  const plant = plantConfig(flags);
  const envPassword = process.env[PASSWORD_ENV] !== undefined && process.env[PASSWORD_ENV] !== '';
  if (flags.passwordFile !== undefined && flags.username === undefined) throw new UsageError('--password-file needs --username');
  const password = flags.passwordFile !== undefined ? { file: flags.passwordFile } : envPassword && flags.username !== undefined ? { env: PASSWORD_ENV } : undefined;
  const err = process.stderr;
  const tty = err.isTTY === true;
  let lastProblem = '';
  const logger: LinkLogger = {
    debug() {},
    info() {},
    warn: (o, msg) => void (lastProblem = `${msg ?? ''}${'err' in o ? `: ${String((o as { err: unknown }).err)}` : ''}`),
    error: (o, msg) => void (lastProblem = `${msg ?? ''}${'err' in o ? `: ${String((o as { err: unknown }).err)}` : ''}`),
    child: () => logger,
  };

  // The first SIGINT/SIGTERM stops whatever runs now (the connection wait, then the simulation);
  // a second one quits at once.
  let stopping: NodeJS.Signals | undefined;
  let onStop: () => void = () => {};
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(1);
    stopping = signal;
    onStop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let link: OpenedMqttLink | undefined;
  let progress: NodeJS.Timeout | undefined;
  try {
    try {
      link = await openMqttLink({ url: flags.broker, username: flags.username, password, clientId: `vigil-simulate-${process.pid}-${Date.now().toString(36)}` }, logger);
    } catch (e) {
      const field: Record<string, string> = { url: '--broker', username: '--username', 'password.file': '--password-file' };
      throw new UsageError((e as Error).message.replace(/^mqtt link config: (\S+)/, (_, f: string) => field[f] ?? f));
    }
    const stopped = new Promise<void>((resolve) => {
      onStop = resolve;
      if (stopping) resolve();
    });
    await Promise.race([link.untilConnected(flags.connectTimeoutSeconds * 1000), stopped]).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}: is the broker running, and are --broker and --username right?`);
    });
    if (stopping) return;

    const startWall = Date.now();
    const start = publishStart(flags, startWall);
    const durationMs = flags.durationSeconds !== undefined ? flags.durationSeconds * 1000 * flags.speed : undefined;
    const qos = flags.qos === '1' ? 1 : 0;
    let sent = 0;
    let dropped = 0;
    const opened = link;
    const run = runSimulator({ ...plant, start, durationMs, speed: flags.speed }, (m) =>
      opened.publish(m.topic, m.payload, { qos }).then(() => void sent++, () => void dropped++));
    const channels = flags.layout === 'per-channel' ? '<channel>' : '';
    err.write(`simulate: ${flags.machines} machine${flags.machines === 1 ? '' : 's'} every ${flags.intervalMs} ms × speed ${flags.speed} → ${flags.broker} as ${flags.topicPrefix}/<machine>${channels ? `/${channels}` : ''}, QoS ${qos}, from ${new Date(start).toISOString()}${flags.durationSeconds ? ` for ${flags.durationSeconds} s` : '; Ctrl-C to stop'}\n`);

    let lastSent = 0;
    let lastAt = startWall;
    const eventNow = (): number => start + Math.min((Date.now() - startWall) * flags.speed, durationMs ?? Infinity);
    const status = (): string => {
      const now = Date.now();
      const rate = ((sent - lastSent) * 1000) / Math.max(1, now - lastAt);
      lastSent = sent;
      lastAt = now;
      const t = eventNow() - start;
      return `simulate: ${new Date(eventNow()).toISOString().slice(0, 19)}Z  ${sent} sent (${Math.round(rate)} msg/s)${dropped ? `, ${dropped} dropped` : ''}  faults: ${describeActive(plant.faults ?? [], t)}  drift: ${describeActive(plant.drifts ?? [], t)}  ${opened.connected ? 'connected' : `DISCONNECTED${lastProblem ? ` (${lastProblem})` : ''}`}`;
    };
    progress = setInterval(() => err.write(tty ? `\r${status()}\x1b[K` : `${status()}\n`), (flags.progressSeconds ?? (tty ? 1 : 10)) * 1000);
    progress.unref();
    onStop = () => run.close();
    if (stopping) run.close();
    await run.done.finally(() => clearInterval(progress));
    const seconds = (Date.now() - startWall) / 1000;
    const t = eventNow() - start;
    err.write(`${tty ? '\r\x1b[K' : ''}simulate: ${stopping ? `stopped by ${stopping}` : 'done'} after ${seconds.toFixed(1)} s: ${sent} messages sent (${Math.round(sent / Math.max(seconds, 1e-3))} msg/s), ${dropped} dropped; faults active: ${describeActive(plant.faults ?? [], t)}; drift: ${describeActive(plant.drifts ?? [], t)}\n`);
  } finally {
    clearInterval(progress);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await link?.close(2000);
  }
}

/** "pump-02 bearing-wear, pump-01 sensor-stuck" for the specs whose onset has passed at `t` ms. */
function describeActive(specs: readonly (FaultSpec | DriftSpec)[], t: number): string {
  const active = specs.filter((s) => s.onsetAfterMs <= t);
  if (active.length === 0) return 'none';
  const named = active.map((s) => `${s.machineId} ${s.kind}${s.channel ? `(${s.channel})` : ''}`);
  return named.length <= 4 ? named.join(', ') : `${named.slice(0, 3).join(', ')} and ${named.length - 3} more`;
}
