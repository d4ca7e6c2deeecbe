// vigil run [--config FILE] [flags]: the daemon. With no config at all it runs the whole product on
// this machine: an embedded MQTT broker on 127.0.0.1, simulated pumps publishing to it, a starter
// model (trained once on simulated healthy data), alerts on vigil/alerts/<machine>, /metrics on
// 127.0.0.1:9464. SIGTERM/SIGINT stop it cleanly within shutdown.deadlineMs; SIGHUP reloads the model.

import { Command, Option } from 'commander';
import { ConfigError, readConfigFile, resolveConfig, setPath } from '../config/resolve.js';
import type { VigilConfig } from '../config/types.js';
import { type Daemon, startDaemon } from '../daemon.js';
import { createLogger } from '../runtime/logger.js';
import { createShutdown } from '../runtime/shutdown.js';
import { UsageError, integerAtLeast } from './errors.js';

interface RunFlags {
  config?: string;
  broker?: string;
  model?: string;
  stateDir?: string;
  httpPort?: number;
  logLevel?: string;
  machines?: number;
  simulator?: boolean;
  durationSeconds?: number;
}

/** Flags as a partial config (they override file and environment). */
function flagsToConfig(f: RunFlags): Record<string, never> {
  const o = {} as Record<string, never>;
  const set = (path: string, v: unknown): void => setPath(o as never, path, v as never);
  if (f.broker !== undefined) set('broker', { url: f.broker });
  if (f.model !== undefined) set('model.path', f.model);
  if (f.stateDir !== undefined) set('stateDir', f.stateDir);
  if (f.httpPort !== undefined) set('http.port', f.httpPort);
  if (f.logLevel !== undefined) set('log.level', f.logLevel);
  if (f.machines !== undefined) set('simulator.machines', f.machines);
  if (f.simulator !== undefined) set('simulator.enabled', f.simulator);
  return o;
}

export function loadConfig(flags: RunFlags, env: NodeJS.ProcessEnv = process.env): VigilConfig {
  const path = flags.config ?? env.VIGIL_CONFIG;
  try {
    return resolveConfig({ file: path ? readConfigFile(path) : {}, fileName: path ?? 'defaults', env, flags: flagsToConfig(flags) });
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
}

export function runCommand(): Command {
  return new Command('run')
    .description('run the agent: MQTT sensor streams → windows → scores → maintenance alerts (no config: embedded broker + simulated pumps)')
    .option('-c, --config <file>', 'config file, YAML or JSON (also VIGIL_CONFIG)')
    .option('--broker <url>', 'sensor broker URL, e.g. mqtt://10.0.0.5:1883 (default: embedded broker)')
    .option('--model <file>', 'model file (default: a starter model trained on simulated pumps)')
    .option('--state-dir <dir>', 'outbox, decider states and fine-tuned models (default .vigil)')
    .option('--http-port <port>', 'health and metrics port (0: any free port; host from http.host, default 127.0.0.1)', integerAtLeast(0))
    .option('--log-level <level>', 'fatal, error, warn, info, debug or trace')
    .option('--machines <n>', 'simulated machines', integerAtLeast(1))
    .option('--no-simulator', 'do not start the simulator')
    .addOption(new Option('--duration-seconds <s>', 'stop after this long (demos, smoke tests)').argParser(integerAtLeast(1)))
    .action(async function (this: Command, flags: RunFlags) {
      // --no-simulator gives the flag a default of true: only a flag actually typed may override the file.
      if (this.getOptionValueSource('simulator') !== 'cli') delete flags.simulator;
      const config = loadConfig(flags);
      const logger = createLogger({ level: config.log.level, pretty: config.log.pretty });
      // Signals are handled from the first moment: a SIGTERM while the model loads (or the starter
      // model trains) stops the process instead of being lost (node as PID 1 ignores unhandled ones).
      const shutdown = createShutdown({ logger, deadlineMs: config.shutdown.deadlineMs + 1000 });
      let daemon: Daemon | null = null;
      shutdown.step('stop the agent', async () => {
        await daemon?.stop();
      });
      shutdown.onReload(async () => {
        if (daemon) await daemon.reload(loadConfig(flags));
      });
      shutdown.install();
      daemon = await startDaemon({ config, logger });
      if (shutdown.state !== 'running') await daemon.stop();
      if (flags.durationSeconds) setTimeout(() => void shutdown.shutdown('duration elapsed'), flags.durationSeconds * 1000);
      await new Promise<never>(() => {}); // runs until a signal; the coordinator exits the process
    });
}

export function configCommand(): Command {
  const cmd = new Command('config').description('configuration tools');
  cmd
    .command('check')
    .description('validate a config file (with the environment applied) and print the resolved configuration')
    .argument('<file>', 'config file, YAML or JSON')
    .action((file: string) => {
      const config = loadConfig({ config: file });
      process.stdout.write(`${file}: ok\n${JSON.stringify(config, null, 2)}\n`);
    });
  return cmd;
}
