// A real mosquitto for integration tests: its own temp dir and generated config, a free 127.0.0.1 port
// (never Debian's service on :1883), optional password file (mosquitto_passwd) and TLS files (openssl),
// persistence with an explicit autosave interval, explicit queue limits. start/stop/kill act only on the
// process this helper spawned, by its PID. Call close() in afterAll; an exit hook kills leftovers.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canConnect, freePort } from './ports.js';
import { type TlsFiles, makeTlsFiles } from './tls.js';

/**
 * Why mosquitto tests cannot run here, or null when they can. mosquitto is a Debian package that
 * .ci/run installs; on a developer machine without it those tests are skipped with this reason,
 * and with VIGIL_REQUIRE_MOSQUITTO=1 (set by .ci/run) its absence fails the run instead.
 */
export const MOSQUITTO_MISSING: string | null = (() => {
  try {
    execFileSync('mosquitto', ['-h'], { stdio: 'ignore' });
    return null;
  } catch (err) {
    // mosquitto -h exits 3 after printing its usage: that still means it is installed.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return null;
    const reason = 'mosquitto is not installed (apt-get install -y mosquitto mosquitto-clients; .ci/run does it)';
    if (process.env.VIGIL_REQUIRE_MOSQUITTO === '1') throw new Error(`${reason}, and VIGIL_REQUIRE_MOSQUITTO=1 requires it`);
    return reason;
  }
})();

export interface MosquittoOptions {
  /** user → password, written with mosquitto_passwd; anonymous clients are then refused. */
  readonly users?: Readonly<Record<string, string>>;
  /** Serve TLS (mqtts) with generated certificates; requireCertificate asks clients for theirs. */
  readonly tls?: boolean | { readonly requireCertificate?: boolean };
  /** Keep sessions and queued messages on disk across restarts. Default false. */
  readonly persistence?: boolean;
  /** Seconds between database saves when persistence is on. Default 1. (mosquitto's own is 1800.) */
  readonly autosaveIntervalS?: number;
  /** QoS 1 messages queued per offline or slow client before mosquitto drops. Default 1000, as mosquitto. */
  readonly maxQueuedMessages?: number;
  /** QoS 1 messages in flight per client. Default 20, as mosquitto. */
  readonly maxInflightMessages?: number;
}

export interface Mosquitto {
  readonly port: number;
  /** mqtt://127.0.0.1:port, or mqtts://127.0.0.1:port with TLS (the certificate names 127.0.0.1 and localhost). */
  readonly url: string;
  readonly dir: string;
  readonly tls: TlsFiles | null;
  readonly running: boolean;
  /** Everything mosquitto wrote to stdout and stderr so far, across restarts. */
  log(): string;
  /** Starts it again on the same port with the same config (after stop or kill). */
  start(): Promise<void>;
  /** SIGTERM and wait for exit (mosquitto saves its database on the way out). */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit: a crash, nothing saved since the last autosave. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: the broker hangs with every socket open. */
  pause(): void;
  resume(): void;
  /** Kill if running and remove the temp dir. */
  close(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-mosquitto-'));
  const port = await freePort();
  const tlsWanted = options.tls !== undefined && options.tls !== false;
  const tls = tlsWanted ? makeTlsFiles(dir) : null;
  const lines = [
    `listener ${port} 127.0.0.1`,
    `allow_anonymous ${options.users ? 'false' : 'true'}`,
    `persistence ${options.persistence ? 'true' : 'false'}`,
    `persistence_location ${dir}/`,
    `autosave_interval ${options.autosaveIntervalS ?? 1}`,
    `max_queued_messages ${options.maxQueuedMessages ?? 1000}`,
    `max_inflight_messages ${options.maxInflightMessages ?? 20}`,
    'log_dest stderr',
    'log_type all',
  ];
  if (process.getuid?.() === 0) lines.push('user root'); // else mosquitto drops to 'mosquitto', who cannot read dir
  if (options.users) {
    const file = join(dir, 'passwd');
    Object.entries(options.users).forEach(([user, password], i) => {
      execFileSync('mosquitto_passwd', [...(i === 0 ? ['-c'] : []), '-b', file, user, password], { stdio: 'ignore' });
    });
    lines.push(`password_file ${file}`);
  }
  if (tls) {
    const requireCertificate = typeof options.tls === 'object' && options.tls.requireCertificate === true;
    lines.push(`cafile ${tls.caFile}`, `certfile ${tls.serverCertFile}`, `keyfile ${tls.serverKeyFile}`,
      `require_certificate ${requireCertificate}`);
  }
  const configFile = join(dir, 'mosquitto.conf');
  writeFileSync(configFile, `${lines.join('\n')}\n`);

  let output = '';
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  async function start(): Promise<void> {
    if (child) throw new Error(`mosquitto on port ${port} is already running (pid ${child.pid})`);
    const c = spawn('mosquitto', ['-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    live.add(c);
    c.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    c.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    let gone = false;
    exited = new Promise((resolve) => c.once('exit', () => {
      gone = true;
      live.delete(c);
      if (child === c) child = null;
      resolve();
    }));
    const deadline = Date.now() + 20_000;
    while (!(await canConnect(port))) {
      if (gone || Date.now() > deadline) {
        if (!gone) c.kill('SIGKILL');
        throw new Error(`mosquitto did not start on 127.0.0.1:${port}; its output:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async function signal(sig: NodeJS.Signals): Promise<void> {
    const c = child;
    if (!c) return;
    c.kill(sig);
    if (sig === 'SIGTERM') c.kill('SIGCONT'); // a paused process must wake to handle SIGTERM (SIGKILL needs no waking)
    await exited;
  }

  await start();
  return {
    port,
    url: `${tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
    dir,
    tls,
    get running() {
      return child !== null;
    },
    log: () => output,
    start,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    async close() {
      await signal('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
