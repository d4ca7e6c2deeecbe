// mosquitto as deploy/compose.yaml runs it, on loopback: deploy/mosquitto/mosquitto.conf with only its
// listener (a free 127.0.0.1 port instead of 1883), file paths (a temp dir instead of the container's
// /run/secrets and /mosquitto/data) and, as root, `user root` changed. So a test exercises the
// shipped broker config itself: password file required, anonymous clients refused, persistence on.
// close() kills the process this helper spawned (by its handle) and removes the temp dir.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canConnect, freePort } from '../helpers/ports.js';
import { waitFor } from '../helpers/wait-for.js';

export interface DeployMosquitto {
  readonly port: number;
  /** mqtt://127.0.0.1:port */
  readonly url: string;
  /** The config actually run (the shipped one with the substitutions above). */
  readonly config: string;
  log(): string;
  close(): Promise<void>;
}

/** Rewrites the shipped config for `dir` and `port`; throws if a line it must rewrite is missing. */
export function loopbackConfig(shipped: string, dir: string, port: number): string {
  const seen = new Set<string>();
  const lines = shipped.split(/\r?\n/).map((line) => {
    const [key] = line.trim().split(/\s+/);
    const swap = (value: string): string => {
      seen.add(key);
      return `${key} ${value}`;
    };
    if (key === 'listener') return swap(`${port} 127.0.0.1`);
    if (key === 'password_file') return swap(join(dir, 'passwd'));
    if (key === 'persistence_location') return swap(`${dir}/`);
    return line;
  });
  for (const key of ['listener', 'password_file', 'persistence_location']) {
    if (!seen.has(key)) throw new Error(`deploy/mosquitto/mosquitto.conf has no ${key} line; this helper rewrites it`);
  }
  // As root, mosquitto drops to the `mosquitto` user, who cannot read the temp dir.
  if (process.getuid?.() === 0) lines.push('user root');
  return `${lines.join('\n')}\n`;
}

export async function startDeployMosquitto(shippedConfigFile: string, users: Readonly<Record<string, string>>): Promise<DeployMosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-deploy-mosquitto-'));
  const port = await freePort();
  Object.entries(users).forEach(([user, password], i) => {
    execFileSync('mosquitto_passwd', [...(i === 0 ? ['-c'] : []), '-b', join(dir, 'passwd'), user, password], { stdio: 'ignore' });
  });
  const config = loopbackConfig(readFileSync(shippedConfigFile, 'utf8'), dir, port);
  const configFile = join(dir, 'mosquitto.conf');
  writeFileSync(configFile, config);

  let output = '';
  const child: ChildProcess = spawn('mosquitto', ['-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  let exited = false;
  const gone = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const close = async (): Promise<void> => {
    if (!exited) {
      child.kill('SIGKILL');
      await gone;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(`mosquitto listening on 127.0.0.1:${port}`, async () => {
      if (exited) throw new Error(`mosquitto exited at start; its output:\n${output}`);
      return canConnect(port);
    }, { boundMs: 20_000, detail: () => output });
  } catch (err) {
    await close();
    throw err;
  }
  return { port, url: `mqtt://127.0.0.1:${port}`, config, log: () => output, close };
}
