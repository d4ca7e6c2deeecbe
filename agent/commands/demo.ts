// vigil demo [--machines N] [--duration-seconds N] [--state-dir DIR]: the first thing to run. One
// process runs what `vigil run` runs with no config (embedded MQTT broker, simulated pumps, the
// starter model, the agent) with a plant whose faults show within two minutes (agent/demo/demo-config.ts),
// and tells a person what happens on stdout: a header (what runs, the broker and metrics URLs, how to
// watch alerts), each alert as it is raised, updated or cleared (read from vigil/alerts/+ like any
// consumer would), and a summary every 10 s from the agent's own metrics. The agent's JSON log goes
// to <state dir>/vigil.log. Ctrl-C or SIGTERM stops it the way `vigil run` stops (drain, save,
// deliver) and prints a final line; exit 0.
// State: .vigil/demo by default (agent/demo/demo-state-dir.ts: the starter model is kept there;
// the previous run's alert state is cleared so every demo tells the same story).
// Hidden options, for tests and rehearsals (same story, faster):
//   --tick-ms <ms>          milliseconds per simulated sample (default 1000); fault onsets, ramps and
//                           the alert update interval are counted in samples, so they scale with it
//   --summary-seconds <s>   live summary period (default 10)
//   --small-model           the e2e-sized starter model (window 16, hidden 8, 1 simulated hour, 2 epochs)
//   --broker-port <p>, --metrics-port <p>   instead of 1883 and 9464 (0: any free port)

import { createServer } from 'node:net';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { DEFAULT_DECISION_POLICY } from '../../models/scoring/decision-policy.js';
import { type Daemon, startDaemon } from '../daemon.js';
import { type AlertWatcher, openAlertWatcher } from '../demo/alert-watcher.js';
import { demoConfig, demoFaults, faultStory, machineIds } from '../demo/demo-config.js';
import { openDemoLog } from '../demo/demo-log.js';
import { bold, clock, formatAlert, formatFinal, formatSummary, num, secs, styleFor } from '../demo/demo-output.js';
import { prepareDemoStateDir } from '../demo/demo-state-dir.js';
import { readTotals } from '../demo/demo-totals.js';
import { openServingModel } from '../model/serving-model.js';
import { createShutdown } from '../runtime/shutdown.js';
import { CHANNELS } from '../source/simulator.js';
import { UsageError, integerAtLeast, numberIn } from './errors.js';

interface DemoFlags {
  machines: number;
  durationSeconds?: number;
  stateDir: string;
  tickMs: number;
  summarySeconds: number;
  smallModel?: boolean;
  brokerPort: number;
  metricsPort: number;
}

export function demoCommand(): Command {
  return new Command('demo')
    .description('try Vigil: an embedded broker, simulated pumps (two develop faults) and the agent in one process; alerts and a live summary on stdout')
    .addOption(new Option('--machines <n>', 'simulated pumps; pump-03 starts cavitating ~75 s in, pump-02 wears a bearing from ~100 s').argParser(integerAtLeast(1)).default(5))
    .addOption(new Option('--duration-seconds <s>', 'stop after this long of streaming (scripted runs)').argParser(integerAtLeast(1)))
    .addOption(new Option('--state-dir <dir>', 'starter model cache, alert state and the JSON log (vigil.log)').default('.vigil/demo'))
    .addOption(new Option('--tick-ms <ms>').argParser(integerAtLeast(10)).default(1000).hideHelp())
    .addOption(new Option('--summary-seconds <s>').argParser(numberIn(0.1, 3600, 'a number of seconds from 0.1 to 3600')).default(10).hideHelp())
    .addOption(new Option('--small-model').hideHelp())
    .addOption(new Option('--broker-port <p>').argParser(integerAtLeast(0)).default(1883).hideHelp())
    .addOption(new Option('--metrics-port <p>').argParser(integerAtLeast(0)).default(9464).hideHelp())
    .action((flags: DemoFlags) => runDemo(flags));
}

/** `preferred` when it is free on `host`, else 0 (any free port): a second agent must not stop the demo. */
function portOrAny(host: string, preferred: number): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(0));
    probe.listen(preferred, host, () => probe.close(() => resolve(preferred)));
  });
}

async function runDemo(flags: DemoFlags): Promise<never> {
  const out = process.stdout;
  const style = styleFor(out);
  const print = (line = ''): void => void out.write(`${line}\n`);
  // The last line must be out before the coordinator calls process.exit (pipes are asynchronous on macOS).
  const printNow = (line: string): Promise<void> => new Promise((resolve) => out.write(`${line}\n`, () => resolve()));

  const { stateDir, tickMs } = flags;
  const prepared = prepareDemoStateDir(stateDir);
  if (!prepared.ok) throw new UsageError(prepared.why);
  const { logger, file: logFile } = openDemoLog(join(stateDir, 'vigil.log'));
  const httpPort = flags.metricsPort === 0 ? 0 : await portOrAny('127.0.0.1', flags.metricsPort);
  const config = demoConfig({ stateDir, machines: flags.machines, tickMs, smallModel: flags.smallModel === true, httpPort, brokerPort: flags.brokerPort });
  const machines = machineIds(flags.machines);
  const modelsDir = join(stateDir, 'models');

  // Stopping works from the first moment (during training too), in `vigil run`'s order, then the final line.
  let daemon: Daemon | null = null;
  let watcher: AlertWatcher | null = null;
  let summaryTimer: NodeJS.Timeout | undefined;
  let startedAt = Date.now();
  let undelivered = 0;
  const shutdown = createShutdown({ logger, deadlineMs: config.shutdown.deadlineMs + 1000 });
  shutdown.step('stop the agent', async () => {
    clearInterval(summaryTimer);
    if (daemon) undelivered = (await daemon.stop()).undelivered;
  });
  shutdown.step('close the alert watcher', async () => {
    await watcher?.close();
  });
  shutdown.step('final summary', async () => {
    if (!daemon) return printNow('Stopped before the agent started.');
    const totals = await readTotals(daemon.metrics);
    await printNow(formatFinal({ ...totals, uptimeMs: Date.now() - startedAt, undelivered, stateDir }, style));
  });
  shutdown.install();

  print(bold(style, `Vigil demo: ${machines.length} simulated pump${machines.length > 1 ? 's' : ''} → embedded MQTT broker → LSTM forecaster → maintenance alerts, in this one process.`));
  print(`State in ${stateDir}; the agent's JSON log is ${logFile}.`);
  print();

  // The starter model: trained here once (with its progress), so the agent below loads it from the cache.
  const s = config.model.starter;
  print(`Starter model: loading it from ${modelsDir}, or the first time, training it on ${s.trainHours} simulated hour${s.trainHours === 1 ? '' : 's'} of the healthy pumps (${s.epochs} epochs)...`);
  const modelStart = Date.now();
  let epochs = 0;
  const modelLog = logger.child({ stage: 'demo' });
  const serving = await openServingModel(config, {
    info(obj, msg) {
      modelLog.info(obj, msg);
      const e = obj as { epoch?: unknown; epochs?: unknown; loss?: unknown; valLoss?: unknown };
      if (typeof e.epoch !== 'number' || typeof e.loss !== 'number') return;
      epochs++;
      const val = typeof e.valLoss === 'number' ? `  validation ${num(e.valLoss)}` : '';
      print(`  epoch ${e.epoch}/${String(e.epochs)}  loss ${num(e.loss)}${val}  (${((Date.now() - modelStart) / 1000).toFixed(1)} s)`);
    },
    warn: (obj, msg) => modelLog.warn(obj, msg),
  });
  const seconds = ((Date.now() - modelStart) / 1000).toFixed(1);
  print(epochs > 0 ? `  trained in ${seconds} s; later demos load it from ${modelsDir}.` : `  loaded from the cache in ${seconds} s.`);
  print();

  daemon = await startDaemon({ config, logger });
  if (shutdown.state !== 'running') await daemon.stop();
  startedAt = Date.now(); // the simulator's first sample is about now
  watcher = await openAlertWatcher({ url: daemon.brokerUrl, onAlert: (a) => print(formatAlert(a, startedAt, style)) });

  const broker = new URL(daemon.brokerUrl);
  const metricsUrl = daemon.httpUrl ? `${daemon.httpUrl}/metrics` : '(off)';
  const faults = demoFaults(flags.machines, tickMs);
  const healthy = machines.filter((m) => !faults.some((f) => f.machineId === m));
  const at = (ms: number): string => `~${clock(ms)}`;
  const judgedAfterMs = (serving.detector.meta.windowSize + DEFAULT_DECISION_POLICY.warmupWindows) * tickMs;
  const story = faults.map((f) => `${faultStory(f)} at ${at(f.onsetAfterMs)}${f.durationMs !== undefined ? ` until ${at(f.onsetAfterMs + f.durationMs)}` : ''}`);
  print(bold(style, 'Running'));
  print(`  sensors  ${machines.length} pumps publish ${CHANNELS.join(', ')} every ${secs(tickMs)} to plant/<pump>/<channel>`);
  const taken = (wanted: number, got: string | number): string => (wanted !== 0 && String(got) !== String(wanted) ? ` (port ${wanted} was taken)` : '');
  print(`  broker   ${daemon.brokerUrl} (embedded)${taken(flags.brokerPort, broker.port)}`);
  print(`  metrics  ${metricsUrl}${taken(flags.metricsPort, httpPort)}`);
  print(`  alerts   mosquitto_sub -h ${broker.hostname} -p ${broker.port} -t 'vigil/alerts/#' -t 'vigil/state/#' -v`);
  print(`           (or any MQTT client on ${daemon.brokerUrl}; curl -s ${metricsUrl} | grep vigil_alerts for the counts)`);
  print(`Scenario: ${story.length ? `${story.join(', ')}; ` : 'no faults with this few pumps; '}${healthy.join(', ')} stay${healthy.length === 1 ? 's' : ''} healthy.`);
  print(`Each pump is judged after ${at(judgedAfterMs)} of data (a ${serving.detector.meta.windowSize}-sample window, then ${DEFAULT_DECISION_POLICY.warmupWindows} warm-up windows).`);
  print(`Alerts appear below as they are raised, updated and cleared, with a summary every ${secs(flags.summarySeconds * 1000)}. ${bold(style, 'Ctrl-C stops')} (drain, save, exit).`);
  print();

  let last = { at: startedAt, messages: 0 };
  summaryTimer = setInterval(() => {
    if (!daemon || shutdown.state !== 'running') return;
    void readTotals(daemon.metrics).then((totals) => {
      if (shutdown.state !== 'running') return;
      const now = Date.now();
      const messagesPerSecond = ((totals.messages - last.messages) * 1000) / Math.max(1, now - last.at);
      last = { at: now, messages: totals.messages };
      print(formatSummary({ ...totals, uptimeMs: now - startedAt, messagesPerSecond, machines, phases: watcher?.phases ?? new Map() }, style));
    });
  }, flags.summarySeconds * 1000);
  if (flags.durationSeconds) setTimeout(() => void shutdown.shutdown('duration elapsed'), flags.durationSeconds * 1000);
  logger.info({ broker: daemon.brokerUrl, metrics: metricsUrl, machines, faults }, 'demo running');
  return new Promise<never>(() => {}); // runs until a signal or the duration; the coordinator exits the process
}
