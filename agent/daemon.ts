// The composition root of `vigil run`: config → logger/metrics → broker links → model → outbox
// and delivery → pipeline → sinks, and the ordered way back down. startDaemon returns once the
// stream is flowing; stop() is what SIGTERM runs: stop intake, drain the pipeline, put every alert
// and decider state on disk, save the fine-tuned model, deliver what the broker will take, close.

import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Subject, filter, takeUntil, type Subscription } from 'rxjs';
import type { GraphDetector } from '../models/graph-detector.js';
import type { VigilConfig } from './config/types.js';
import { createOnlineLearner, type OnlineLearner } from './learning/online-learner.js';
import { openServingModel } from './model/serving-model.js';
import { openEmbeddedBroker, type EmbeddedBroker } from './mqtt/embedded-broker.js';
import { openMqttLink, type OpenedMqttLink } from './mqtt/mqtt-link.js';
import type { MqttLinkConfig } from './mqtt/mqtt-link-config.js';
import { pipeline } from './pipeline.js';
import { systemClock, type Clock } from './runtime/clock.js';
import { openHealthServer } from './runtime/health-server.js';
import { type Logger, rateLimitedLog } from './runtime/logger.js';
import { createMetrics, type VigilMetrics } from './runtime/metrics.js';
import { startAlertDelivery, type AlertDelivery } from './sink/alert-delivery.js';
import { createAlertSink } from './sink/alert-sink.js';
import { openDeciderStore } from './sink/decider-store.js';
import { openOutbox, type Outbox } from './sink/outbox.js';
import { createSourceCounters, mqttSource } from './source/mqtt-source.js';
import { createPartition } from './source/partition.js';
import { runSimulator, type SimulatorRun } from './source/simulator.js';
import { createTopicMap } from './source/topic-map.js';
import { createAlertCounters } from './stages/to-alerts.js';
import { createReadingCounters } from './stages/to-readings.js';
import { createSampleCounters } from './stages/to-samples.js';
import { createScoreCounters } from './stages/to-scores.js';
import { checkStreamable, createStreamScoreCounters } from './stages/to-stream-scores.js';
import { createWindowCounters } from './stages/to-windows.js';

export interface DaemonOptions {
  readonly config: VigilConfig;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly env?: NodeJS.ProcessEnv;
}

export interface Daemon {
  readonly metrics: VigilMetrics;
  /** The sensor broker (the embedded one's URL when none is configured). */
  readonly brokerUrl: string;
  readonly httpUrl: string | null;
  readonly detector: GraphDetector;
  readiness(): { ready: boolean; reasons: string[] };
  counters(): Record<string, unknown>;
  /**
   * SIGHUP: applies a re-read configuration's log level and model section (re-opening the model,
   * e.g. a new file dropped in place) while the pipeline keeps running; other changed sections are
   * named in a warning, as they need a restart.
   */
  reload(next?: VigilConfig): Promise<void>;
  /** Graceful stop; resolves with what was left undelivered (kept in the outbox for the next start). */
  stop(deadlineMs?: number): Promise<{ undelivered: number }>;
}

const STATE_FLUSH_MS = 5000;

export async function startDaemon({ config: initialConfig, logger, clock = systemClock, env = process.env }: DaemonOptions): Promise<Daemon> {
  let config = initialConfig;
  const log = logger.child({ stage: 'daemon' });
  const metrics = createMetrics({ clock });
  const closers: (() => Promise<unknown>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.reverse()) await close().catch((err: Error) => log.warn({ err: err.message }, 'error while closing'));
  };

  // Health first: /healthz answers while the model loads (or the starter model trains), and
  // /readyz says why the agent is not ready yet.
  let readiness = (): { ready: boolean; reasons: string[] } => ({ ready: false, reasons: ['starting: loading the model'] });

  try {
    const health = config.http ? await openHealthServer({ host: config.http.host, port: config.http.port, metrics, ready: () => readiness() }) : null;
    if (health) {
      closers.push(() => health.close());
      log.info({ url: health.url }, 'health and metrics endpoint: /healthz /readyz /metrics');
    }

    // The model (a first start without a model file trains the starter model here).
    let serving = await openServingModel(config, log);
    let detector = serving.detector;
    if (config.scoring.mode === 'stream') checkStreamable(detector); // a model that cannot stream fails the start, not every sample
    metrics.setModel(detector.meta.name, detector.meta.version, Date.parse(detector.meta.updatedAt));

    // Broker links: the embedded broker when none is configured, so one command runs everything.
    let embedded: EmbeddedBroker | null = null;
    let sensorConfig: MqttLinkConfig;
    if (config.broker === null) {
      embedded = await openEmbeddedBroker(config.embeddedBroker).catch(async (err: Error) => {
        // Another broker (often Debian's mosquitto service) holds the port: a one-line start should
        // still start, on a free port, and say where.
        if (!/EADDRINUSE/.test(err.message) || config.embeddedBroker.port === 0) throw err;
        log.warn({ port: config.embeddedBroker.port }, 'embedded broker port is in use: using a free port instead (set embeddedBroker.port to choose)');
        return openEmbeddedBroker({ ...config.embeddedBroker, port: 0 });
      });
      closers.push(() => embedded!.close());
      sensorConfig = { url: embedded.url, clientId: 'vigil-agent' };
      log.info({ url: embedded.url }, 'no broker configured: embedded MQTT broker started');
    } else sensorConfig = config.broker;

    // Durable delivery: alerts are on disk before they count as produced.
    const outbox: Outbox = await openOutbox({ dir: join(config.stateDir, 'outbox'), maxBytes: config.outbox.maxBytes, maxAgeMs: config.outbox.maxAgeMs, logger: logger.child({ stage: 'outbox' }), now: () => clock.now() });
    closers.push(() => outbox.close());
    outbox.watch((e) => {
      if (e.type === 'drop') metrics.outboxDrops.inc({ kind: e.record.kind });
    });
    if (outbox.depth > 0) log.info({ pending: outbox.depth }, 'outbox holds alerts from before the restart: delivering them first');
    const store = openDeciderStore(join(config.stateDir, 'deciders'), (msg) => log.warn(msg));
    const sink = createAlertSink({
      outbox,
      alertTopic: config.topics.alerts,
      stateTopic: config.topics.state,
      store,
      now: () => Date.now(),
      // The moment an alert counts as produced: it is fsynced in the outbox.
      onAppended: (a) => log.info({ eventId: `${a.id}:${a.seq}`, machineId: a.machineId, state: a.state }, 'alert stored'),
      onError: (err, what) => log.error({ err: err.message }, `could not put ${what} in the outbox`),
    });

    // Online learning on windows judged normal, in a worker thread.
    const startLearner = (d: GraphDetector): OnlineLearner | null =>
      config.learning.enabled
        ? createOnlineLearner({
            detector: d,
            mode: 'worker',
            batchSize: config.learning.batchSize,
            every: config.learning.every,
            bufferWindows: config.learning.bufferWindows,
            recalibrateEvery: config.learning.recalibrateEvery,
            onStep: ({ loss, applied }) => {
              if (!applied) return log.warn({ loss }, 'online learning step refused (non-finite or diverging loss)');
              metrics.trainingSteps.inc({ model: d.meta.name });
              metrics.trainingLoss.set({ model: d.meta.name }, loss);
            },
            onError: (err) => log.error({ err: err.message }, 'online learning failed'),
          })
        : null;
    let learner = startLearner(detector);

    // The pipeline.
    const deadLetterLog = rateLimitedLog(logger.child({ stage: 'ingest' }), 10_000);
    const readingCounters = createReadingCounters();
    const sampleCounters = createSampleCounters();
    const windowCounters = createWindowCounters();
    // scoring.mode 'stream' replaces windows + batched scores by one forecaster step per sample.
    const streaming = config.scoring.mode === 'stream';
    const scoreCounters = createScoreCounters();
    const streamCounters = createStreamScoreCounters();
    const alertCounters = createAlertCounters();
    const channels = detector.meta.channels;
    const topicMap = createTopicMap(config.topics.sensors);
    const sourceCounters = createSourceCounters();
    const split = topicMap.shared.filter((s) => s.machineSpansTopics).map((s) => s.pattern);
    if (split.length) log.warn({ patterns: split }, "shared subscription on a pattern where one machine publishes on several topics: a broker that spreads the group per message or per topic splits each machine's messages across the group's agents, breaking its windows (see deploy/SCALE-OUT.md)");
    const stopIntake = new Subject<void>();
    let shed = 0;
    let received = 0;
    const ack = config.topics.ack;
    const linkLog = logger.child({ stage: 'mqtt' });
    // The alert link first; then the sensor link, and nothing awaited between its open and the
    // source's subscription below: a persistent session's queued messages arrive right after
    // CONNACK and must find the pipeline listening.
    const separateAlertLink = config.alertBroker ? await openMqttLink(config.alertBroker, linkLog.child({ link: 'alerts' }), { clock, env }) : null;
    if (separateAlertLink) closers.push(() => separateAlertLink.close(2000));
    const sensorLink = await openMqttLink(sensorConfig, linkLog.child({ link: 'sensors' }), { clock, env });
    closers.push(() => sensorLink.close(2000));
    const alertLink: OpenedMqttLink = separateAlertLink ?? sensorLink;
    let reconnectsSeen = 0;

    const delivery: AlertDelivery = startAlertDelivery({
      outbox,
      link: alertLink,
      ackMode: config.topics.ack ? 'consumer' : 'broker',
      ...(config.topics.ack ? { ackTopic: config.topics.ack } : {}),
      retryMs: config.outbox.retryMs,
      logger: logger.child({ stage: 'delivery' }),
    });
    closers.push(async () => delivery.stop());
    const partition = config.partition && createPartition(config.partition);
    const messages = mqttSource(sensorLink, topicMap, { partition, counters: sourceCounters }).pipe(
      filter((m) => {
        received++;
        return m.topic !== ack;
      }),
      takeUntil(stopIntake),
    );
    let drained!: () => void;
    const pipelineDone = new Promise<void>((resolve) => (drained = resolve));
    const subscription: Subscription = messages
      .pipe(
        pipeline({
          intake: { capacity: config.limits.maxQueuedMessages, onShed: () => { shed++; metrics.shedMessages.inc(); } },
          readings: {
            topics: topicMap,
            maxPayloadBytes: config.payload.maxBytes,
            allowBareNumbers: config.payload.allowBareNumbers,
            timestampPath: config.payload.timestampPath,
            valuePath: config.payload.valuePath,
            valuesPath: config.payload.valuesPath,
            maxFutureSkewMs: config.payload.maxFutureSkewMs,
            channels,
            maxTrackedMachines: config.limits.maxMachines,
            counters: readingCounters,
          },
          onDeadLetter: (dl) => {
            metrics.deadLetters.inc({ reason: dl.reason });
            deadLetterLog.warn(dl.reason, { topic: dl.topic, detail: dl.detail, preview: dl.preview }, 'dead letter');
            if (config.topics.deadLetters) {
              void outbox
                .append({ id: `dl:${randomUUID()}`, key: 'dead-letters', kind: 'deadletter', topic: config.topics.deadLetters, payload: JSON.stringify(dl), createdAt: clock.now() })
                .catch(() => undefined);
            }
          },
          samples: { channels, periodMs: config.sampling.periodMs, toleranceMs: config.sampling.toleranceMs, maxHoldMs: config.sampling.maxHoldMs, maxMachines: config.limits.maxMachines, counters: sampleCounters },
          windows: { channels, size: detector.meta.windowSize, stride: config.windows.stride, maxGapMs: config.windows.maxGapMs, maxMachines: config.limits.maxMachines, counters: windowCounters },
          scores: {
            detectorFor: () => detector,
            maxBatch: config.scoring.maxBatch,
            counters: scoreCounters,
            onError: (err) => log.error({ err: err.message }, 'scoring failed for a batch'),
          },
          ...(streaming && {
            stream: {
              detectorFor: () => detector,
              maxGapMs: config.windows.maxGapMs,
              maxMachines: config.limits.maxMachines,
              keepWindows: config.learning.enabled,
              counters: streamCounters,
              onError: (err) => log.error({ err: err.message }, 'stream scoring failed'),
            },
          }),
          onScore: (score) => {
            metrics.windowsScored.inc({ model: score.model.name });
            metrics.observeLatency(score.receivedAt);
          },
          alerts: {
            calibration: () => detector.calibration,
            policy: config.decision,
            restore: (machineId) => store.get(machineId),
            onState: (state) => sink.state(state),
            onStateRejected: (machineId, err) => log.warn({ machineId, err: err.message }, 'saved decider state rejected; machine starts fresh'),
            onNormal: (score) => {
              if (score.window) learner?.offer(score.window);
            },
            maxMachines: config.limits.maxMachines,
            counters: alertCounters,
          },
        }),
      )
      .subscribe({
        next: (alert) => {
          metrics.alerts.inc({ state: alert.state, severity: alert.severity });
          logger.child({ stage: 'alerts', machineId: alert.machineId }).warn(
            { id: alert.id, state: alert.state, severity: alert.severity, score: alert.score, threshold: alert.threshold, top: alert.topChannels.map((c) => c.channel) },
            `alert ${alert.state}`,
          );
          sink.alert(alert);
        },
        error: (err: Error) => {
          log.fatal({ err: err.message, stack: err.stack }, 'pipeline failed (a bug): stopping intake');
          drained();
        },
        complete: () => drained(),
      });
    log.info({ model: detector.meta.name, version: detector.meta.version, channels, windowSize: detector.meta.windowSize, patterns: config.topics.sensors, partition: config.partition }, 'pipeline running');

    // The simulated plant, publishing through the broker like real sensors.
    let simulator: SimulatorRun | null = null;
    let simLink: OpenedMqttLink | null = null;
    if (config.simulator.enabled) {
      // The sensor broker's settings (credentials, TLS), under the simulator's own client id; closed
      // with the rest if startup fails, so a failed start exits instead of reconnecting forever.
      const link = await openMqttLink({ ...sensorConfig, clientId: 'vigil-simulator', clean: true }, linkLog.child({ link: 'simulator' }), { clock, env });
      simLink = link;
      closers.push(() => link.close(500));
      await link.untilConnected(10_000);
      simulator = runSimulator(
        { seed: config.simulator.seed, machines: config.simulator.machines, intervalMs: config.simulator.intervalMs, faults: config.simulator.faults, clock },
        (m) => simLink!.publish(m.topic, m.payload, { qos: 0 }).catch(() => undefined),
      );
      simulator.done.catch((err: Error) => log.error({ err: err.message }, 'simulator stopped'));
      log.info({ machines: config.simulator.machines, faults: config.simulator.faults }, 'simulator publishing to the broker');
    }

    // The stages count in plain objects (no registry lookups on the hot path); the registry
    // catches up once a second.
    const synced = { received: 0, accepted: 0, samples: 0, notOwned: 0 };
    const syncCounters = (): void => {
      metrics.messagesIn.inc({ source: 'mqtt' }, received - synced.received);
      metrics.notOwnedMessages.inc(sourceCounters.notOwned - synced.notOwned);
      synced.notOwned = sourceCounters.notOwned;
      metrics.readings.inc(readingCounters.accepted - synced.accepted);
      metrics.samples.inc(sampleCounters.samples - synced.samples);
      synced.received = received;
      synced.accepted = readingCounters.accepted;
      synced.samples = sampleCounters.samples;
    };
    const counterTimer = setInterval(syncCounters, 1000);
    counterTimer.unref();

    // Housekeeping: decider states to disk, outbox ageing, gauges.
    const timer = setInterval(() => {
      void store.flush().catch((err: Error) => log.error({ err: err.message }, 'could not save decider states'));
      outbox.trim();
      metrics.outboxDepth.set(outbox.depth);
      metrics.outboxBytes.set(outbox.bytes);
      metrics.trackedMachines.set(store.size);
      const r = sensorLink.reconnects + (alertLink === sensorLink ? 0 : alertLink.reconnects);
      if (r > reconnectsSeen) metrics.mqttReconnects.inc({ link: 'sensors' }, r - reconnectsSeen);
      reconnectsSeen = r;
      metrics.setModel(detector.meta.name, detector.meta.version, Date.parse(detector.meta.updatedAt));
    }, STATE_FLUSH_MS);
    timer.unref();
    const saveTimer = setInterval(() => {
      void learner?.save(serving.tunedPath).catch((err: Error) => log.error({ err: err.message }, 'could not save the fine-tuned model'));
    }, config.learning.saveEveryMs);
    saveTimer.unref();

    readiness = (): { ready: boolean; reasons: string[] } => {
      const reasons: string[] = [];
      if (!sensorLink.connected) reasons.push('sensor broker not connected');
      if (alertLink !== sensorLink && !alertLink.connected) reasons.push('alert broker not connected');
      if (subscription.closed) reasons.push('pipeline stopped');
      return { ready: reasons.length === 0, reasons };
    };

    let stopping: Promise<{ undelivered: number }> | null = null;
    return {
      metrics,
      brokerUrl: embedded?.url ?? sensorConfig.url,
      httpUrl: health?.url ?? null,
      get detector() {
        return detector;
      },
      readiness,
      counters: () => ({ notOwned: sourceCounters.notOwned, readings: readingCounters, samples: sampleCounters, windows: windowCounters, scores: streaming ? streamCounters : scoreCounters, alerts: alertCounters, shed, outbox: outbox.stats, delivery: delivery.stats, learner: learner?.stats }),
      async reload(next = config) {
        const live = new Set(['model', 'log']);
        const restartNeeded = (Object.keys(next) as (keyof VigilConfig)[]).filter((k) => !live.has(k) && JSON.stringify(next[k]) !== JSON.stringify(config[k]));
        if (restartNeeded.length) log.warn({ sections: restartNeeded }, 'configuration changed in sections that only apply at restart');
        if (next.log.level !== config.log.level) logger.level = next.log.level;
        const opened = await openServingModel({ ...config, model: next.model }, log);
        if (streaming) checkStreamable(opened.detector);
        await learner?.save(serving.tunedPath).catch(() => undefined);
        await learner?.close();
        config = { ...config, model: next.model, log: next.log };
        serving = opened;
        detector = opened.detector;
        learner = startLearner(detector);
        log.info({ model: detector.meta.name, version: detector.meta.version }, 'reloaded');
      },
      stop(deadlineMs = config.shutdown.deadlineMs) {
        stopping ??= (async () => {
          const until = Date.now() + deadlineMs;
          clearInterval(timer);
          clearInterval(saveTimer);
          clearInterval(counterTimer);
          simulator?.close();
          stopIntake.next();
          await Promise.race([pipelineDone, sleep(Math.max(0, until - Date.now()) / 2)]);
          subscription.unsubscribe();
          await sink.settled();
          await store.flush().catch((err: Error) => log.error({ err: err.message }, 'could not save decider states'));
          if (learner) {
            await learner.save(serving.tunedPath).catch((err: Error) => log.error({ err: err.message }, 'could not save the fine-tuned model'));
            await learner.close();
          }
          const drain = await delivery.drain(Math.max(0, until - Date.now() - 500));
          if (!drain.drained) log.warn({ left: drain.left, byMachine: drain.leftByKey }, 'alerts not yet acknowledged stay in the outbox and go out at the next start');
          await simLink?.close(500);
          syncCounters();
          await closeAll();
          log.info({ undelivered: drain.left }, 'stopped');
          return { undelivered: drain.left };
        })();
        return stopping;
      },
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
