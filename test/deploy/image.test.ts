// The image, built from this tree and run the way deploy/compose.yaml runs it, until an alert arrives.
// Opt-in and slow (a build, a container): `npm run test:image` sets VIGIL_IMAGE_TEST=1; the default
// `npm test` skips it. On the project machines: source ../shared/scripts/container-env.sh first.
//   1. builds the Dockerfile (docker where an engine answers, else podman with the notes' recipe;
//      container-cli.ts), or takes VIGIL_IMAGE=<tag> as built;
//   2. starts mosquitto on loopback with deploy/mosquitto/mosquitto.conf itself (deploy-mosquitto.ts):
//      anonymous clients are refused, Vigil and an alert consumer log in with their own passwords;
//   3. runs the container on the host network as compose does: read-only root, a tmpfs /tmp, no
//      capabilities, a fresh named volume at /data, the config mounted as /etc/vigil/vigil.yaml, the
//      password as a secret file named by VIGIL_BROKER_PASSWORD_FILE. The config is the e2e timing
//      (100 ms samples, a small starter model) with the in-container simulator publishing three pumps
//      through mosquitto with Vigil's credentials; pump-02 starts cavitating 4 s in;
//   4. passes when the consumer receives pump-02's raised alert with every field the README documents
//      for vigil.alert/1 (and no other), /healthz and /readyz answer from outside and the image's own
//      HEALTHCHECK passes (podman runs it on demand);
//   5. `stop` (SIGTERM to node as PID 1, no --init) ends it with exit code 0 within docker's default
//      10 s grace, and the volume holds the outbox, the decider states and, under models/, the starter
//      model and the fine-tuned checkpoint. Container, volume, broker and temp files are removed after;
//      the image is kept, so the next run's build is cached.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { ALERT_SCHEMA } from '../../agent/sink/alert-sink.js';
import { REPO } from '../agent/commands/run-cli.js';
import { type ConfigObject, FAST_CONFIG, mergeConfig } from '../helpers/e2e-config.js';
import { MOSQUITTO_MISSING } from '../helpers/mosquitto.js';
import { waitFor } from '../helpers/wait-for.js';
import { type CliResult, type ContainerCli, detectContainerCli } from './container-cli.js';
import { type DeployMosquitto, freePort, startDeployMosquitto } from './deploy-mosquitto.js';

const ENABLED = process.env.VIGIL_IMAGE_TEST === '1';
/** A hang bound only: a cold build downloads every npm package. */
const IMAGE_TEST_TIMEOUT_MS = 1_200_000;
const FAULTY = 'pump-02';
const TAG = process.env.VIGIL_IMAGE ?? 'localhost/vigil:image-test';
const NAME = `vigil-image-test-${process.pid}`;
const VOLUME = `vigil-image-test-${process.pid}`;

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
  it('builds, connects with its secret, delivers an alert with the documented schema, and stops with exit 0 on SIGTERM', async () => {
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
    const passwords = { vigil: `vigil-${process.pid}-pw`, consumer: `consumer-${process.pid}-pw` };
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

    // 3. The container, configured as compose configures it, with the e2e timing.
    const dir = mkdtempSync(join(tmpdir(), 'vigil-image-test-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    // Health address and stop budget come from the image and the environment, as in compose.
    const base: ConfigObject = { ...FAST_CONFIG };
    delete base.http;
    delete base.shutdown;
    const config = mergeConfig(base, {
      log: { level: 'info', pretty: false },
      broker: { url: broker.url, username: 'vigil', clientId: 'vigil-image-test', clean: false },
      simulator: { machines: 3, faults: [{ machineId: FAULTY, kind: 'cavitation', onsetAfterMs: 4000, rampMs: 2000 }] },
      learning: { enabled: true }, // its checkpoint is written to /data/models at stop
    });
    writeFileSync(join(dir, 'vigil.yaml'), JSON.stringify(config, null, 2)); // JSON is YAML
    writeFileSync(join(dir, 'mqtt_password'), `${passwords.vigil}\n`, { mode: 0o444 }); // read by uid 1000 in the container
    const httpPort = await freePort();
    const health = `http://127.0.0.1:${httpPort}`;
    cleanups.push(() => cli.run(['volume', 'rm', '-f', VOLUME]));
    cleanups.push(() => cli.run(['rm', '-f', NAME]));
    await must('run', [
      'run', '-d', '--name', NAME, '--network', 'host',
      '--read-only', '--tmpfs', '/tmp', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges',
      '-v', `${VOLUME}:/data`,
      '-v', `${join(dir, 'vigil.yaml')}:/etc/vigil/vigil.yaml:ro`,
      '-v', `${join(dir, 'mqtt_password')}:/run/secrets/mqtt_password:ro`,
      '-e', 'VIGIL_CONFIG=/etc/vigil/vigil.yaml',
      '-e', 'VIGIL_BROKER_PASSWORD_FILE=/run/secrets/mqtt_password',
      // Loopback only (tests never listen wider); the HEALTHCHECK follows VIGIL_HTTP_HOST and _PORT.
      '-e', 'VIGIL_HTTP_HOST=127.0.0.1',
      '-e', `VIGIL_HTTP_PORT=${httpPort}`,
      TAG,
      // The image's CMD, `run`.
    ]);
    const tStarted = Date.now();
    let logs = '';
    const readLogs = async (): Promise<string> => (logs = (await cli.run(['logs', NAME])).stdout);
    const running = async (): Promise<boolean> => (await cli.run(['inspect', NAME, '--format', '{{.State.Running}}'])).stdout.trim() === 'true';
    const lines = (): Record<string, unknown>[] =>
      logs.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);

    const healthz = async (): Promise<boolean> => {
      if (!(await running())) throw new Error(`the container exited; its log:\n${await readLogs()}`);
      return fetch(`${health}/healthz`).then((r) => r.status === 200, () => false);
    };
    await waitFor('/healthz from outside the container', healthz, { boundMs: 120_000, everyMs: 250 });
    const tHealthy = Date.now();

    // 4. The alert, as a consumer on the broker receives it.
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
    expect(raised.model).toEqual({ name: 'starter-pump', version: expect.stringMatching(/^\d+\.\d+$/) });
    const top = raised.topChannels as { channel: string; score: number; share: number }[];
    expect(top.length).toBeGreaterThan(0);

    const readyz = await fetch(`${health}/readyz`);
    expect(await readyz.json()).toEqual({ ready: true, reasons: [] });
    expect(readyz.status).toBe(200);
    if (cli.name === 'podman') await must('the image HEALTHCHECK', ['healthcheck', 'run', NAME]);

    // 5. SIGTERM to PID 1: a clean stop inside docker's default grace, state left in the volume.
    const tTerm = Date.now();
    await must('stop', ['stop', '-t', '10', NAME]);
    const stopMs = Date.now() - tTerm;
    const exitCode = (await must('inspect', ['inspect', NAME, '--format', '{{.State.ExitCode}}'])).stdout.trim();
    await readLogs();
    expect(exitCode, `exit code after SIGTERM; log tail:\n${logs.slice(-3000)}`).toBe('0');
    expect(lines().find((l) => l.msg === 'shutting down')).toMatchObject({ reason: 'SIGTERM' });
    expect(lines().find((l) => l.msg === 'shutdown complete')).toMatchObject({ code: 0, failedSteps: 0 });
    expect(lines().filter((l) => l.level === 'fatal')).toEqual([]);
    const files = (await must('list /data', ['run', '--rm', '--network', 'none', '-v', `${VOLUME}:/data`, '--entrypoint', 'find', TAG, '/data', '-mindepth', '1', '-maxdepth', '2'])).stdout
      .split('\n')
      .filter(Boolean);
    expect(files).toEqual(expect.arrayContaining(['/data/outbox', '/data/deciders', '/data/models', '/data/models/starter-pump.tuned.onnx']));
    expect(files.some((f) => /^\/data\/models\/starter-.*\.onnx$/.test(f) && !f.endsWith('.tuned.onnx'))).toBe(true);

    console.log(
      `image test (${cli.name}): build ${((tBuilt - t0) / 1000).toFixed(1)} s${process.env.VIGIL_IMAGE ? ' (given image)' : ''}, ` +
        `image ${(sizeBytes / 1e6).toFixed(0)} MB; /healthz ${((tHealthy - tStarted) / 1000).toFixed(1)} s after start, ` +
        `${raised.severity} alert on ${FAULTY} ${((tAlert - tStarted) / 1000).toFixed(1)} s after start (top ${top.map((c) => c.channel).join(',')}); ` +
        `stop → exit ${exitCode} in ${(stopMs / 1000).toFixed(1)} s; total ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
  }, IMAGE_TEST_TIMEOUT_MS);
});
