// The deploy files stay in step with the code, checked without podman, docker or systemd:
//   deploy/vigil.yaml passes the daemon's own validation, and the command lines compose and the unit
//   start it with reach the configured broker and never start the simulator;
//   compose.yaml parses, mounts files that exist, and gives the daemon time to drain;
//   the Dockerfile's ENTRYPOINT runs the built CLI, its CMD is a CLI command, its VIGIL_* defaults are
//   settings the config reads; the unit file carries the settings the state and shutdown rely on.

import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { configFromEnv, readConfigFile, resolveConfig } from '../../agent/config/resolve.js';
import { DEFAULT_CONFIG, type VigilConfig } from '../../agent/config/types.js';
import { loadConfig, runCommand } from '../../agent/commands/run.js';
import { REPO, runCli } from '../agent/commands/run-cli.js';

const DEPLOY = join(REPO, 'deploy');
/** run.ts gives the shutdown coordinator shutdown.deadlineMs plus this before it gives up and exits. */
const CLI_MARGIN_MS = 2000;
/** Where compose mounts Vigil's broker password (and the path deploy/vigil.yaml names). */
const SECRET_PATH = '/run/secrets/mqtt_password';

const read = (path: string): string => readFileSync(join(REPO, path), 'utf8');

/** deploy/vigil.yaml as a file this machine can check: its secret path points at a temp file. */
function localVigilYaml(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-deploy-'));
  const secret = join(dir, 'mqtt_password');
  writeFileSync(secret, 'not-a-real-password\n', { mode: 0o600 });
  const text = read('deploy/vigil.yaml');
  expect(text).toContain(SECRET_PATH);
  const file = join(dir, 'vigil.yaml');
  writeFileSync(file, text.split(SECRET_PATH).join(secret));
  return file;
}

/** The flags commander hands `vigil run`'s action for these arguments (the daemon is not started). */
async function runFlags(args: readonly string[]): Promise<Record<string, unknown>> {
  let flags: Record<string, unknown> | undefined;
  const cmd = runCommand().exitOverride().action((f: Record<string, unknown>) => {
    flags = f;
  });
  await cmd.parseAsync([...args], { from: 'user' });
  return flags!;
}

/** The config `vigil <args>` would run with, given its environment (args start with `run`). */
async function configOfCommandLine(args: readonly string[], env: NodeJS.ProcessEnv): Promise<VigilConfig> {
  expect(args[0]).toBe('run');
  return loadConfig((await runFlags(args.slice(1))) as Parameters<typeof loadConfig>[0], env);
}

interface Instruction {
  readonly stage: number;
  readonly op: string;
  readonly args: string;
}

/** Dockerfile instructions with continuation lines joined; stage counts FROM lines (0 before the first). */
function dockerfile(): Instruction[] {
  const out: Instruction[] = [];
  let stage = 0;
  const joined = read('Dockerfile').replace(/\\\r?\n/g, ' ');
  for (const raw of joined.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [, op, args] = /^(\S+)\s*(.*)$/.exec(line)!;
    if (op.toUpperCase() === 'FROM') stage++;
    out.push({ stage, op: op.toUpperCase(), args: args.trim() });
  }
  return out;
}

/** KEY=VALUE pairs of ENV instructions (the form with '='). */
function envOf(instructions: readonly Instruction[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const i of instructions.filter((x) => x.op === 'ENV')) {
    for (const m of i.args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) env[m[1]] = m[2].replace(/^"|"$/g, '');
  }
  return env;
}

/** systemd unit settings: key → every value given, in order. */
function unitSettings(): Map<string, string[]> {
  const settings = new Map<string, string[]>();
  for (const raw of read('deploy/systemd/vigil.service').split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('[')) continue;
    const eq = line.indexOf('=');
    const key = line.slice(0, eq);
    settings.set(key, [...(settings.get(key) ?? []), line.slice(eq + 1)]);
  }
  return settings;
}

function seconds(text: string): number {
  const m = /^(\d+)\s*(ms|s|min)?$/.exec(text.trim());
  if (!m) throw new Error(`not a duration this test reads: ${text}`);
  const unit = m[2] ?? 's';
  return Number(m[1]) * (unit === 'ms' ? 0.001 : unit === 'min' ? 60 : 1);
}

describe('deploy/vigil.yaml', () => {
  it("passes the daemon's config validation once its secret file exists", () => {
    const file = localVigilYaml();
    const c = resolveConfig({ file: readConfigFile(file), fileName: file, env: {} });
    expect(c.broker?.url).toMatch(/^mqtts?:\/\//);
    // A persistent session needs a stable id; the password comes from a file, never the config.
    expect(c.broker?.clean).toBe(false);
    expect(c.broker?.clientId).toBeTruthy();
    expect(c.broker?.password).toEqual({ file: expect.any(String) });
    expect(c.simulator.enabled).toBe(false);
    expect(c.model.path).toMatch(/^\/etc\/vigil\/models\/.+\.onnx$/);
  });

  it('passes `vigil config check`', async () => {
    const r = await runCli(['config', 'check', localVigilYaml()]);
    expect(r.stderr).not.toMatch(/invalid configuration/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/: ok\n/);
  });
});

describe('deploy/compose.yaml', () => {
  const compose = parseYaml(read('deploy/compose.yaml')) as {
    services: Record<string, Record<string, unknown> & { volumes?: string[]; environment?: Record<string, string>; secrets?: string[]; command?: string[] }>;
    volumes: Record<string, unknown>;
    secrets: Record<string, { file: string }>;
  };
  const vigil = compose.services.vigil;
  const binds = (service: { volumes?: string[] }): { source: string; target: string }[] =>
    (service.volumes ?? []).map((v) => v.split(':')).map(([source, target]) => ({ source, target }));

  it('parses, and every file or directory it mounts exists (named volumes are declared)', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['mosquitto', 'vigil']);
    for (const service of Object.values(compose.services)) {
      for (const { source } of binds(service)) {
        if (source.startsWith('.')) expect(existsSync(resolve(DEPLOY, source)), `${source} (relative to deploy/)`).toBe(true);
        else expect(compose.volumes, `named volume ${source}`).toHaveProperty(source);
      }
    }
    const build = vigil.build as { context: string };
    expect(existsSync(join(resolve(DEPLOY, build.context), 'Dockerfile'))).toBe(true);
  });

  it('takes secrets from deploy/secrets/, which is made per machine and never committed', () => {
    for (const { file } of Object.values(compose.secrets)) expect(file).toMatch(/^\.\/secrets\/[\w.-]+$/);
    expect(read('deploy/secrets/.gitignore')).toMatch(/^\*$/m);
    // vigil.yaml's password file is the secret compose mounts into the vigil service.
    expect(vigil.secrets).toContain(SECRET_PATH.split('/').pop());
  });

  it('mounts the config where VIGIL_CONFIG points, the models where vigil.yaml looks, and the state volume at VIGIL_STATE_DIR', () => {
    const env = vigil.environment!;
    const dockerEnv = envOf(dockerfile());
    const targets = binds(vigil).map((b) => b.target);
    expect(binds(vigil).find((b) => b.source === './vigil.yaml')?.target).toBe(env.VIGIL_CONFIG);
    const modelPath = readConfigFile(join(DEPLOY, 'vigil.yaml')) as { model: { path: string } };
    expect(targets).toContain(modelPath.model.path.slice(0, modelPath.model.path.lastIndexOf('/')));
    expect(targets).toContain(env.VIGIL_STATE_DIR ?? dockerEnv.VIGIL_STATE_DIR);
  });

  it("starts `vigil run` against vigil.yaml's broker, never the simulator or the embedded broker", async () => {
    const env = { ...envOf(dockerfile()), ...vigil.environment, VIGIL_CONFIG: localVigilYaml() };
    const c = await configOfCommandLine(vigil.command!, env);
    expect(c.broker?.url).toBe('mqtt://mosquitto:1883');
    expect(c.simulator.enabled).toBe(false);
    expect(c.stateDir).toBe('/var/lib/vigil');
    expect(c.http).toEqual({ host: '0.0.0.0', port: 9464 });
  });

  it('every VIGIL_* variable it sets is a setting the daemon reads (a typo would be ignored silently)', () => {
    for (const [name, value] of Object.entries(vigil.environment!)) {
      if (name === 'VIGIL_CONFIG') continue; // read by `vigil run` itself
      const { config, problems } = configFromEnv({ [name]: value });
      expect(problems, name).toEqual([]);
      expect(Object.keys(config), `${name} sets nothing`).not.toHaveLength(0);
    }
  });

  it('gives the daemon longer to stop than its drain deadline plus the CLI margin', () => {
    const deadline = Number(vigil.environment!.VIGIL_SHUTDOWN_DEADLINE_MS ?? DEFAULT_CONFIG.shutdown.deadlineMs);
    expect(seconds(String(vigil.stop_grace_period)) * 1000).toBeGreaterThan(deadline + CLI_MARGIN_MS);
    expect(vigil.restart).toBe('unless-stopped');
    expect(JSON.stringify(vigil.healthcheck)).toContain('/healthz');
  });

  it('mosquitto keeps queued messages: persistence on, autosave explicit, per-client queue above the 1000 default', () => {
    const mosquitto = compose.services.mosquitto;
    expect(binds(mosquitto).find((b) => b.source === './mosquitto/mosquitto.conf')?.target).toBe('/mosquitto/config/mosquitto.conf');
    const conf = new Map(
      read('deploy/mosquitto/mosquitto.conf')
        .split(/\r?\n/)
        .filter((l) => l.trim() && !l.startsWith('#'))
        .map((l) => l.trim().split(/\s+/) as [string, string]),
    );
    expect(conf.get('persistence')).toBe('true');
    expect(Number(conf.get('autosave_interval'))).toBeGreaterThan(0);
    expect(Number(conf.get('max_queued_messages'))).toBeGreaterThan(1000);
    expect(conf.get('allow_anonymous')).toBe('false');
    expect(mosquitto.secrets).toContain(conf.get('password_file')!.split('/').pop());
  });
});

describe('Dockerfile', () => {
  const instructions = dockerfile();
  const runtime = instructions.filter((i) => i.stage === Math.max(...instructions.map((x) => x.stage)));
  const one = (op: string): string => {
    const found = runtime.filter((i) => i.op === op);
    expect(found, op).toHaveLength(1);
    return found[0].args;
  };

  it('ENTRYPOINT runs the built CLI in exec form, so node itself receives SIGTERM', () => {
    expect(JSON.parse(one('ENTRYPOINT'))).toEqual(['node', 'dist/agent/cli.js']);
    const build = JSON.parse(read('tsconfig.build.json')) as { compilerOptions: { rootDir: string; outDir: string } };
    expect(build.compilerOptions).toMatchObject({ rootDir: '.', outDir: 'dist' });
    expect(existsSync(join(REPO, 'agent', 'cli.ts'))).toBe(true);
    expect(JSON.parse(read('package.json')).bin.vigil).toBe('dist/agent/cli.js');
  });

  it('CMD is `run`, which with no config is the whole demo: embedded broker, simulator, starter model', async () => {
    const cmd = JSON.parse(one('CMD')) as string[];
    expect(cmd).toEqual(['run']);
    expect(runCommand().name()).toBe(cmd[0]);
    const c = await configOfCommandLine(cmd, envOf(instructions));
    expect(c.broker).toBeNull();
    expect(c.simulator.enabled).toBe(true);
    expect(c.model.path).toBeNull();
  });

  it('its VIGIL_* defaults are settings: state in the volume, health port reachable from outside the container', () => {
    const env = envOf(runtime);
    for (const name of Object.keys(env).filter((n) => n.startsWith('VIGIL_'))) {
      const { config, problems } = configFromEnv({ [name]: env[name] });
      expect(problems, name).toEqual([]);
      expect(Object.keys(config), `${name} sets nothing`).not.toHaveLength(0);
    }
    const c = resolveConfig({ env });
    expect(c.stateDir).toBe('/var/lib/vigil');
    expect(c.http?.host).toBe('0.0.0.0');
    expect(JSON.parse(one('VOLUME'))).toEqual([c.stateDir]);
    expect(one('EXPOSE')).toBe(String(c.http?.port));
    // docker/podman stop wait 10 s before SIGKILL: the daemon's drain plus the CLI margin fit inside.
    expect(c.shutdown.deadlineMs + CLI_MARGIN_MS).toBeLessThan(10_000);
  });

  it('runs as node, checks /healthz, and lets npm trust a proxy CA in the build stage', () => {
    expect(one('USER')).toBe('node');
    expect(one('HEALTHCHECK')).toMatch(/\/healthz/);
    const build = instructions.filter((i) => i.stage === 1);
    expect(build.some((i) => i.op === 'ARG' && i.args === 'NPM_CONFIG_CAFILE')).toBe(true);
    expect(build.some((i) => i.op === 'RUN' && /\bnpm ci\b/.test(i.args))).toBe(true);
    expect(instructions.some((i) => i.op === 'RUN' && /npm ci --omit=dev/.test(i.args))).toBe(true);
    expect(read('.npmrc')).toMatch(/^onnxruntime-node-install=skip$/m);
  });

  it('.dockerignore lets in exactly what the build stage copies from the context', () => {
    const ignore = read('.dockerignore').split(/\r?\n/).filter((l) => l.trim() && !l.startsWith('#'));
    expect(ignore[0]).toBe('*');
    const allowed = new Set(ignore.filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/$/, '')));
    const copied = instructions
      .filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    for (const source of copied) expect(allowed, source).toContain(source.replace(/\/$/, ''));
  });
});

describe('deploy/systemd/vigil.service', () => {
  const unit = unitSettings();
  const get = (key: string): string => {
    const values = unit.get(key);
    expect(values, key).toBeDefined();
    return values![values!.length - 1];
  };

  it('runs as vigil with its state in StateDirectory, writable under ProtectSystem=strict', () => {
    expect(get('User')).toBe('vigil');
    expect(read('deploy/systemd/vigil.sysusers.conf')).toMatch(/^u vigil /m);
    expect(get('StateDirectory')).toBe('vigil');
    expect(get('ProtectSystem')).toBe('strict');
    expect(get('ReadWritePaths').split(/\s+/)).toContain('/var/lib/vigil');
    expect(get('NoNewPrivileges')).toBe('yes');
    expect(get('MemoryMax')).toMatch(/^\d+[KMG]$/);
    // V8's JIT needs writable and executable memory: this setting would crash node at start.
    expect(unit.get('MemoryDenyWriteExecute') ?? []).not.toContain('yes');
  });

  it('starts `vigil run` without the simulator, with VIGIL_STATE_DIR and VIGIL_CONFIG set', async () => {
    const env = Object.fromEntries(unit.get('Environment')!.map((e) => e.split('=', 2) as [string, string]));
    expect(env.VIGIL_STATE_DIR).toBe('/var/lib/vigil');
    expect(env.VIGIL_CONFIG).toBe('/etc/vigil/vigil.yaml');
    const [node, cli, ...args] = get('ExecStart').split(/\s+/);
    expect(node).toMatch(/^\/.*\/node$/);
    expect(cli).toMatch(/\/dist\/agent\/cli\.js$/);
    const c = await configOfCommandLine(args, { ...env, VIGIL_CONFIG: localVigilYaml() });
    expect(c.simulator.enabled).toBe(false);
    expect(c.broker).not.toBeNull();
    expect(c.stateDir).toBe('/var/lib/vigil');
  });

  it('stops with SIGTERM and waits longer than the daemon drains; reloads with SIGHUP; restarts on failure', () => {
    expect(get('KillSignal')).toBe('SIGTERM');
    expect(seconds(get('TimeoutStopSec')) * 1000).toBeGreaterThan(DEFAULT_CONFIG.shutdown.deadlineMs + CLI_MARGIN_MS);
    expect(get('ExecReload')).toMatch(/kill -HUP \$MAINPID$/);
    expect(get('Restart')).toBe('on-failure');
  });
});
