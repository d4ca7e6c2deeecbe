// Graceful shutdown, in order, once, within a deadline.
// Register steps in the order they must run (stop intake, drain the pipeline, flush the outbox,
// save state, close connections); on SIGTERM or SIGINT they run one after another, each started
// only when the previous one settled. A step that throws is logged and the rest still run (the
// outbox is still flushed and state still saved if draining failed). Then exit(0), or exit(1) if
// a step failed or the overall deadline passed (the log names the step that was running and the
// steps that never ran). A second SIGTERM/SIGINT while stopping exits(1) at once: the operator's
// "I mean it". SIGHUP calls the reload handler (not while stopping; one reload at a time).
// Set the deadline below the supervisor's kill timeout (Docker: 10 s, systemd TimeoutStopSec: 90 s).

import type { Logger } from './logger.js';
import { systemClock, type Clock } from './clock.js';

export type ShutdownSignal = 'SIGTERM' | 'SIGINT' | 'SIGHUP';

/** What the coordinator listens to: `process` in production, an EventEmitter in tests. */
export interface SignalSource {
  on(signal: ShutdownSignal, listener: () => void): unknown;
  off(signal: ShutdownSignal, listener: () => void): unknown;
}

export interface ShutdownOptions {
  readonly logger: Logger;
  /** Overall budget for all steps, ms. Default 8000 (inside Docker's 10 s stop grace). */
  readonly deadlineMs?: number;
  /** Default: process. */
  readonly signals?: SignalSource;
  /** Default: process.exit. */
  readonly exit?: (code: number) => void;
  readonly clock?: Clock;
}

export type ShutdownState = 'running' | 'stopping' | 'stopped';

export interface ShutdownCoordinator {
  /** Adds a step; steps run in the order they were added. */
  step(name: string, run: () => Promise<void> | void): ShutdownCoordinator;
  /** What SIGHUP does (re-read config, reopen log files, reload models). */
  onReload(handler: () => Promise<void> | void): ShutdownCoordinator;
  /** Starts listening for SIGTERM, SIGINT and SIGHUP. */
  install(): ShutdownCoordinator;
  /** Stops listening (tests; a finished shutdown also uninstalls). */
  uninstall(): void;
  /** Runs the steps once (later calls get the same promise), calls exit, and resolves with the
   *  exit code: at least `minCode` (pass 1 when stopping because of a fatal error). */
  shutdown(reason: string, minCode?: number): Promise<number>;
  readonly state: ShutdownState;
}

interface Step {
  readonly name: string;
  readonly run: () => Promise<void> | void;
}

export function createShutdown(options: ShutdownOptions): ShutdownCoordinator {
  const log = options.logger.child({ stage: 'shutdown' });
  const deadlineMs = options.deadlineMs ?? 8_000;
  if (!(deadlineMs > 0)) throw new RangeError(`createShutdown: deadlineMs must be > 0, got ${deadlineMs}`);
  const signals = options.signals ?? process;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const clock = options.clock ?? systemClock;
  const steps: Step[] = [];
  let reload: (() => Promise<void> | void) | undefined;
  let reloading = false;
  let state: ShutdownState = 'running';
  let finished: Promise<number> | undefined;
  let installed = false;

  const onStop = (signal: 'SIGTERM' | 'SIGINT') => () => {
    if (state === 'running') {
      void coordinator.shutdown(signal);
      return;
    }
    log.error({ signal }, 'second stop signal while shutting down: exiting now');
    exit(1);
  };
  const onTerm = onStop('SIGTERM');
  const onInt = onStop('SIGINT');
  const onHup = (): void => {
    if (state !== 'running') return;
    if (reload === undefined) {
      log.info('SIGHUP received but no reload handler is registered: ignored');
      return;
    }
    if (reloading) {
      log.warn('SIGHUP received while a reload is in progress: ignored');
      return;
    }
    reloading = true;
    const started = clock.now();
    log.info('SIGHUP: reloading');
    Promise.resolve()
      .then(reload)
      .then(
        () => log.info({ ms: Math.round(clock.now() - started) }, 'reload complete'),
        (err: unknown) => log.error({ err }, 'reload failed: still running with the previous configuration'),
      )
      .finally(() => {
        reloading = false;
      });
  };

  async function runSteps(reason: string, minCode: number): Promise<number> {
    const started = clock.now();
    log.info({ reason, deadlineMs, steps: steps.map((s) => s.name) }, 'shutting down');
    let current = -1;
    let failed = 0;
    const sequence = (async () => {
      for (current = 0; current < steps.length; current++) {
        const step = steps[current];
        const stepStarted = clock.now();
        try {
          await step.run();
          log.info({ step: step.name, ms: Math.round(clock.now() - stepStarted) }, 'shutdown step done');
        } catch (err) {
          failed++;
          log.error({ step: step.name, err }, 'shutdown step failed; continuing with the next step');
        }
      }
      return 'done' as const;
    })();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'deadline'>((resolve) => {
      timer = setTimeout(() => resolve('deadline'), deadlineMs);
    });
    const outcome = await Promise.race([sequence, deadline]);
    clearTimeout(timer);
    let code = Math.max(minCode, failed > 0 ? 1 : 0);
    if (outcome === 'deadline') {
      code = 1;
      log.error(
        { deadlineMs, step: steps[current]?.name, neverRan: steps.slice(current + 1).map((s) => s.name) },
        'shutdown deadline passed: exiting without waiting for the running step',
      );
    }
    state = 'stopped';
    coordinator.uninstall();
    log.info({ code, failedSteps: failed, ms: Math.round(clock.now() - started) }, 'shutdown complete');
    exit(code);
    return code;
  }

  const coordinator: ShutdownCoordinator = {
    step(name, run) {
      if (state !== 'running') throw new Error(`shutdown step "${name}" added after shutdown started: register steps at startup`);
      steps.push({ name, run });
      return coordinator;
    },
    onReload(handler) {
      reload = handler;
      return coordinator;
    },
    install() {
      if (!installed) {
        signals.on('SIGTERM', onTerm);
        signals.on('SIGINT', onInt);
        signals.on('SIGHUP', onHup);
        installed = true;
      }
      return coordinator;
    },
    uninstall() {
      if (!installed) return;
      signals.off('SIGTERM', onTerm);
      signals.off('SIGINT', onInt);
      signals.off('SIGHUP', onHup);
      installed = false;
    },
    shutdown(reason, minCode = 0) {
      if (finished === undefined) {
        state = 'stopping';
        finished = runSteps(reason, minCode);
      }
      return finished;
    },
    get state() {
      return state;
    },
  };
  return coordinator;
}
