// The image, built from this tree and run the way deploy/compose.yaml runs it, until an alert arrives.
// Opt-in and slow (a build, four containers): `npm run test:image` sets VIGIL_IMAGE_TEST=1; the default
// `npm test` skips it. On the project machines: source ../shared/scripts/container-env.sh first.
//   1. builds the Dockerfile (docker where an engine answers, else podman with the notes' recipe;
//      container-cli.ts), or takes VIGIL_IMAGE=<tag> as built;
//   2. starts mosquitto on loopback with deploy/mosquitto/mosquitto.conf itself (deploy-mosquitto.ts):
//      anonymous clients are refused; Vigil, the simulator and an alert consumer log in as themselves;
//   3. makes the model as deploy/README.md's demo does, with the image, into a fresh /data volume:
//      `vigil simulate --out` records healthy pumps, `vigil train` writes /data/models/pump.onnx;
//   4. runs Vigil as compose does: `run --no-simulator`, host network, read-only root, a tmpfs /tmp, no
//      capabilities, the volume at /data, the config mounted as /etc/vigil/vigil.yaml (the e2e timing:
//      100 ms samples), the password as a secret file named by VIGIL_BROKER_PASSWORD_FILE; and the
//      compose `simulator` service's `vigil simulate` in a second container under its own login, three
//      pumps at 100 ms, pump-02 cavitating 4 s in;
//   5. passes when the consumer receives pump-02's raised alert with every field the README documents
//      for vigil.alert/1 (and no other), /healthz and /readyz answer from outside and the image's own
//      HEALTHCHECK passes (podman runs it on demand);
//   6. `stop` (SIGTERM to node as PID 1, no --init) ends Vigil with exit code 0 inside docker's default
//      10 s grace, the simulator too, and the volume holds the outbox, the decider states and, under
//      models/, the model and its fine-tuned checkpoint. Containers, volume, broker and temp files are
//      removed after; the image is kept, so the next run's build is cached.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { ALERT_SCHEMA } from '../../agent/sink/alert-sink.js';
import { REPO } from '../agent/commands/run-cli.js';
import { MOSQUITTO_MISSING } from '../helpers/mosquitto.js';
import { waitFor } from '../helpers/wait-for.js';
import { type CliResult, type ContainerCli, detectContainerCli } from './container-cli.js';
import { freePort } from '../helpers/ports.js';
import { type DeployMosquitto, startDeployMosquitto } from './deploy-mosquitto.js';

const ENABLED = process.env.VIGIL_IMAGE_TEST === '1';
/** A hang bound only: a cold build downloads every npm package. */
const IMAGE_TEST_TIMEOUT_MS = 1_200_000;
const FAULTY = 'pump-02';
const TAG = process.env.VIGIL_IMAGE ?? 'localhost/vigil:image-test';
const NAME = `vigil-image-test-${process.pid}`;
const SIMULATOR = `vigil-image-test-simulator-${process.pid}`;
const VOLUME = `vigil-image-test-${process.pid}`;
/** Milliseconds between samples, simulated and scored (the e2e tests' timing). */
const PERIOD_MS = 100;
/** The plant: the model is trained on these pumps' healthy behaviour. */
const PLANT = ['--machines', '3', '--seed', '7', '--interval-ms', String(PERIOD_MS)];
/** What compose adds to every container it starts for these services. */
const HARDENED = ['--read-only', '--tmpfs', '/tmp', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges'];

/** The fields README.md's table lists for vigil.alert/1 (first cell of each row, backticked names). */
function documentedAlertFields(): string[] {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const from = readme.indexOf(`Schema \`${ALERT_SCHEMA}\``);
  expect(from, `README.md documents ${ALERT_SCHEMA}`).toBeGreaterThan(0);
  const rows = readme.slice(from).split('\n').slice(1);
  const table = rows.slice(rows.findIndex((l) => l.startsWith('|')));
  const fields: string[] = [];
  for (const row of table.slice(2)) {
    if (!row.startsWith('|')) break;
    for (const m of row.split('|')[1].matchAll(/`(\w+)`/g)) fields.push(m[1]);
  }
  return fields;
}

const isIso = (v: unknown): boolean => typeof v === 'string' && new Date(v).toISOString() === v;

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

describe.runIf(ENABLED)('the Vigil image against mosquitto with deploy/mosquitto.conf', () => {
  it('builds, makes a model, runs Vigil and the simulator as compose does until an alert with the documented schema arrives, and stops with exit 0 on SIGTERM', async () => {
    if (MOSQUITTO_MISSING) throw new Error(MOSQUITTO_MISSING);
    const found = detectContainerCli();
    if (typeof found === 'string') throw new Error(found);
    const cli: ContainerCli = found;
    const must = async (what: string, args: readonly string[]): Promise<CliResult> => {
      const r = await cli.run(args);
      if (r.code !== 0) {
        const hint = /rlimit/.test(r.stderr) ? '\n(podman on the project machines: source ../shared/scripts/container-env.sh first)' : '';
        throw new Error(`${what}: ${cli.name} ${args.join(' ')} exited ${r.code}\n${(r.stdout + r.stderr).slice(-4000)}${hint}`);
      }
      return r;
    };
    const t0 = Date.now();

    // 1. The image.
    if (process.env.VIGIL_IMAGE === undefined) await must('build', ['build', ...cli.buildFlags(), '-t', TAG, REPO]);
    const tBuilt = Date.now();
    const sizeBytes = Number((await must('inspect', ['image', 'inspect', TAG, '--format', '{{.Size}}'])).stdout.trim());
    const healthcheck = (await must('inspect', ['image', 'inspect', TAG, '--format', '{{json .Config.Healthcheck}}'])).stdout;
    expect(healthcheck).toMatch(/\/healthz/);

    // 2. The broker, as deployed: passwords required.
    const passwords = { vigil: `vigil-${process.pid}-pw`, simulator: `simulator-${process.pid}-pw`, consumer: `consumer-${process.pid}-pw` };
    const broker: DeployMosquitto = await startDeployMosquitto(join(REPO, 'deploy/mosquitto/mosquitto.conf'), passwords);
    cleanups.push(() => broker.close());
    const anonymous = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0, connectTimeout: 5000 }).then(
      (c) => c.endAsync().then(() => null),
      (err: Error & { code?: number }) => err,
    );
    expect(anonymous?.code, 'an anonymous client is refused (CONNACK 5, not authorized)').toBe(5);
    const consumer: MqttClient = await mqtt.connectAsync(broker.url, { username: 'consumer', password: passwords.consumer, reconnectPeriod: 500 });
    cleanups.push(() => consumer.endAsync(true));
    const alerts: { topic: string; payload: string; retain: boolean }[] = [];
    consumer.on('message', (topic, payload, packet) => alerts.push({ topic, payload: payload.toString('utf8'), retain: packet.retain }));
    await consumer.subscribeAsync('vigil/alerts/+', { qos: 1 });

    // 3. The model, made with the image into the state volume (deploy/README.md, "Demo").
    cleanups.push(() => cli.run(['volume', 'rm', '-f', VOLUME]));
    const oneShot = (what: string, args: readonly string[]): Promise<CliResult> =>
      must(what, ['run', '--rm', '--network', 'none', ...HARDENED, '-v', `${VOLUME}:/data`, TAG, ...args]);
    await oneShot('simulate --out', ['simulate', '--out', '/data/healthy.jsonl', '--hours', '1', ...PLANT]);
    const trained = await oneShot('train', ['train', '--data', '/data/healthy.jsonl', '--model', 'lstm-forecaster', '--window', '16', '--stride', '12', '--epochs', '2', '--name', 'pump', '--out', '/data/models/pump.onnx']);
    expect(trained.stdout).toMatch(/saved: +\/data\/models\/pump\.onnx/);
    const tModel = Date.now();

    // 4. Vigil, configured as compose configures it, with the e2e timing; the simulator beside it.
    const dir = mkdtempSync(join(tmpdir(), 'vigil-image-test-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const config = {
      log: { level: 'info', pretty: false },
      broker: { url: broker.url, username: 'vigil', clientId: 'vigil-image-test', clean: false },
      model: { path: '/data/models/pump.onnx' },
      sampling: { periodMs: PERIOD_MS, toleranceMs: PERIOD_MS / 2, maxHoldMs: 3 * PERIOD_MS },
      windows: { stride: 1, maxGapMs: 10 * PERIOD_MS },
      learning: { enabled: true }, // its checkpoint is written to /data/models at stop
    };
    writeFileSync(join(dir, 'vigil.yaml'), JSON.stringify(config, null, 2)); // JSON is YAML
    // Read by uid 1000 in the containers.
    writeFileSync(join(dir, 'mqtt_password'), `${passwords.vigil}\n`, { mode: 0o444 });
    writeFileSync(join(dir, 'simulator_password'), `${passwords.simulator}\n`, { mode: 0o444 });
    const httpPort = await freePort();
    const health = `http://127.0.0.1:${httpPort}`;
    cleanups.push(() => cli.run(['rm', '-f', '-v', SIMULATOR]));
    cleanups.push(() => cli.run(['rm', '-f', '-v', NAME]));
    await must('run vigil', [
      'run', '-d', '--name', NAME, '--network', 'host', ...HARDENED,
      '-v', `${VOLUME}:/data`,
      '-v', `${join(dir, 'vigil.yaml')}:/etc/vigil/vigil.yaml:ro`,
      '-v', `${join(dir, 'mqtt_password')}:/run/secrets/mqtt_password:ro`,
      '-e', 'VIGIL_CONFIG=/etc/vigil/vigil.yaml',
      '-e', 'VIGIL_BROKER_PASSWORD_FILE=/run/secrets/mqtt_password',
      // Loopback only (tests never listen wider); the HEALTHCHECK follows VIGIL_HTTP_HOST and _PORT.
      '-e', 'VIGIL_HTTP_HOST=127.0.0.1',
      '-e', `VIGIL_HTTP_PORT=${httpPort}`,
      TAG, 'run', '--no-simulator',
    ]);
    const tStarted = Date.now();
    let logs = '';
    const readLogs = async (): Promise<string> => (logs = (await cli.run(['logs', NAME])).stdout);
    const running = async (): Promise<boolean> => (await cli.run(['inspect', NAME, '--format', '{{.State.Running}}'])).stdout.trim() === 'true';
    const lines = (): Record<string, unknown>[] =>
      logs.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);

    await must('run the simulator', [
      // Its /data as in compose: a tmpfs, not an anonymous volume left behind.
      'run', '-d', '--name', SIMULATOR, '--network', 'host', ...HARDENED, '--tmpfs', '/data', '--no-healthcheck',
      '-v', `${join(dir, 'simulator_password')}:/run/secrets/simulator_password:ro`,
      TAG, 'simulate', `--broker=${broker.url}`, '--username=simulator', '--password-file=/run/secrets/simulator_password',
      ...PLANT, '--qos=1', `--fault=${FAULTY}:cavitation@4s+2s`,
    ]);

    const healthz = async (): Promise<boolean> => {
      if (!(await running())) throw new Error(`the container exited; its log:\n${await readLogs()}`);
      return fetch(`${health}/healthz`).then((r) => r.status === 200, () => false);
    };
    await waitFor('/healthz from outside the container', healthz, { boundMs: 120_000, everyMs: 250 });
    const tHealthy = Date.now();

    // 5. The alert, as a consumer on the broker receives it.
    await waitFor(`a raised alert on vigil/alerts/${FAULTY}`, async () => {
      if (!(await running())) throw new Error(`the container exited; its log:\n${await readLogs()}`);
      return alerts.some((a) => a.topic === `vigil/alerts/${FAULTY}` && JSON.parse(a.payload).state === 'raised');
    }, { boundMs: 180_000, everyMs: 250, detail: () => `received: ${alerts.map((a) => a.topic).join(' ')}\n${logs.slice(-3000)}` });
    const tAlert = Date.now();
    const raisedMsg = alerts.find((a) => a.topic === `vigil/alerts/${FAULTY}` && JSON.parse(a.payload).state === 'raised')!;
    const raised = JSON.parse(raisedMsg.payload) as Record<string, unknown>;
    expect(raisedMsg.retain).toBe(false);
    expect(Object.keys(raised).sort()).toEqual(documentedAlertFields().sort());
    expect(raised.schema).toBe(ALERT_SCHEMA);
    expect(raised.id).toMatch(/^[0-9a-f]{24}$/);
    expect(raised.eventId).toBe(`${raised.id}:${raised.seq}`);
    expect(raised.machineId).toBe(FAULTY);
    expect(['warning', 'critical']).toContain(raised.severity);
    expect(raised.score).toBeGreaterThan(raised.threshold as number);
    for (const k of ['time', 'startedAt', 'receivedAt']) expect(isIso(raised[k]), `${k} = ${String(raised[k])}`).toBe(true);
    expect(raised.model).toEqual({ name: 'pump', version: expect.stringMatching(/^1\.\d+$/) });
    const top = raised.topChannels as { channel: string; score: number; share: number }[];
    expect(top.length).toBeGreaterThan(0);

    const readyz = await fetch(`${health}/readyz`);
    expect(await readyz.json()).toEqual({ ready: true, reasons: [] });
    expect(readyz.status).toBe(200);
    if (cli.name === 'podman') await must('the image HEALTHCHECK', ['healthcheck', 'run', NAME]);

    // 6. SIGTERM to PID 1: a clean stop inside docker's default grace, state left in the volume.
    const tTerm = Date.now();
    await must('stop', ['stop', '-t', '10', NAME]);
    const stopMs = Date.now() - tTerm;
    const exitCode = (await must('inspect', ['inspect', NAME, '--format', '{{.State.ExitCode}}'])).stdout.trim();
    await readLogs();
    expect(exitCode, `exit code after SIGTERM; log tail:\n${logs.slice(-3000)}`).toBe('0');
    expect(lines().find((l) => l.msg === 'shutting down')).toMatchObject({ reason: 'SIGTERM' });
    expect(lines().find((l) => l.msg === 'shutdown complete')).toMatchObject({ code: 0, failedSteps: 0 });
    expect(lines().filter((l) => l.level === 'fatal')).toEqual([]);
    await must('stop the simulator', ['stop', '-t', '10', SIMULATOR]);
    expect((await must('inspect', ['inspect', SIMULATOR, '--format', '{{.State.ExitCode}}'])).stdout.trim()).toBe('0');
    const files = (await must('list /data', ['run', '--rm', '--network', 'none', '-v', `${VOLUME}:/data`, '--entrypoint', 'find', TAG, '/data', '-mindepth', '1', '-maxdepth', '2'])).stdout
      .split('\n')
      .filter(Boolean);
    expect(files).toEqual(expect.arrayContaining(['/data/outbox', '/data/deciders', '/data/models/pump.onnx', '/data/models/pump.tuned.onnx']));

    console.log(
      `image test (${cli.name}): build ${((tBuilt - t0) / 1000).toFixed(1)} s${process.env.VIGIL_IMAGE ? ' (given image)' : ''}, ` +
        `image ${(sizeBytes / 1e6).toFixed(0)} MB; model ${((tModel - tBuilt) / 1000).toFixed(1)} s; /healthz ${((tHealthy - tStarted) / 1000).toFixed(1)} s after start, ` +
        `${raised.severity} alert on ${FAULTY} ${((tAlert - tStarted) / 1000).toFixed(1)} s after start (top ${top.map((c) => c.channel).join(',')}); ` +
        `stop → exit ${exitCode} in ${(stopMs / 1000).toFixed(1)} s; total ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
  }, IMAGE_TEST_TIMEOUT_MS);
});
