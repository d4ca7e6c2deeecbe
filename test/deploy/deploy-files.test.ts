// The deploy files stay in step with the code, checked without podman, docker or systemd:
//   deploy/vigil.yaml passes the daemon's own validation with the environment compose and the unit
//   give it, and the command lines they start `vigil run` with (through run's real action, up to
//   startDaemon) reach the configured broker with the password from their secret, never start the
//   simulator, and keep state and models in the state volume;
//   compose.yaml parses, mounts files that exist, and gives the daemon time to drain;
//   the Dockerfile's ENTRYPOINT runs the built CLI, its CMD is a CLI command, its VIGIL_* defaults are
//   settings the config reads, /data is the volume; the unit carries the settings state and shutdown rely on.

import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { configFromEnv, readConfigFile, resolveConfig } from '../../agent/config/resolve.js';
import { DEFAULT_CONFIG, type VigilConfig } from '../../agent/config/types.js';
import { runCommand } from '../../agent/commands/run.js';
import { simulateCommand } from '../../agent/commands/simulate.js';
import { parseFaultSpec } from '../../agent/source/simulator-spec.js';
import { REPO, runCli } from '../agent/commands/run-cli.js';

// `vigil run`'s action runs for real up to startDaemon, which hands back the config it was given.
const { Started } = vi.hoisted(() => ({
  Started: class Started extends Error {
    constructor(readonly config: unknown) {
      super('startDaemon reached');
    }
  },
}));
vi.mock('../../agent/daemon.js', () => ({
  startDaemon: ({ config }: { config: unknown }): Promise<never> => Promise.reject(new Started(config)),
}));

const DEPLOY = join(REPO, 'deploy');
const read = (path: string): string => readFileSync(join(REPO, path), 'utf8');

/** What run.ts gives the shutdown coordinator beyond shutdown.deadlineMs before it exits anyway. */
const CLI_MARGIN_MS = (() => {
  const m = /createShutdown\(\{[^}]*deadlineMs: config\.shutdown\.deadlineMs \+ ([\d_]+)/.exec(read('agent/commands/run.ts'));
  if (!m) throw new Error('agent/commands/run.ts no longer gives createShutdown shutdown.deadlineMs + N: update this test');
  return Number(m[1].replace(/_/g, ''));
})();

/** A throwaway password file: the secret paths compose and systemd mount do not exist here. */
function localSecret(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'vigil-deploy-')), 'mqtt_password');
  writeFileSync(file, 'not-a-real-password\n', { mode: 0o600 });
  return file;
}

/** `env` with VIGIL_BROKER_PASSWORD_FILE (which must be `mountedAt`) pointing at a local secret file. */
function withLocalSecret(env: Record<string, string>, mountedAt: string): Record<string, string> {
  expect(env.VIGIL_BROKER_PASSWORD_FILE).toBe(mountedAt);
  return { ...env, VIGIL_BROKER_PASSWORD_FILE: localSecret() };
}

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/** The config `vigil <args>` starts the daemon with, given its environment (args start with `run`). */
async function configOfCommandLine(args: readonly string[], env: Record<string, string>): Promise<VigilConfig> {
  expect(args[0]).toBe('run');
  const savedEnv = process.env;
  const listeners = SIGNALS.map((s) => process.listeners(s));
  process.env = { ...env };
  try {
    await runCommand().exitOverride().parseAsync(args.slice(1), { from: 'user' });
  } catch (err) {
    if (err instanceof Started) return err.config as VigilConfig;
    throw err;
  } finally {
    process.env = savedEnv;
    // run installs its signal handlers before starting the daemon: remove them again.
    SIGNALS.forEach((s, i) => process.listeners(s).filter((l) => !listeners[i].includes(l)).forEach((l) => process.off(s, l)));
  }
  throw new Error(`vigil ${args.join(' ')} never reached startDaemon`);
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

interface ComposeService extends Record<string, unknown> {
  volumes?: string[];
  environment?: Record<string, string>;
  secrets?: string[];
  command?: string[];
  profiles?: string[];
}
const compose = parseYaml(read('deploy/compose.yaml')) as {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
  secrets: Record<string, { file: string }>;
};
const vigil = compose.services.vigil;
const binds = (service: { volumes?: string[] }): { source: string; target: string }[] =>
  (service.volumes ?? []).map((v) => v.split(':')).map(([source, target]) => ({ source, target }));
/** The image's environment with the compose service's on top, as the container sees it. */
const vigilEnv = (): Record<string, string> => ({ ...envOf(dockerfile()), ...vigil.environment });
/** Where compose mounts a service's secret: /run/secrets/<name>. */
const secretPath = (service: ComposeService, name: string): string => {
  expect(service.secrets, `secrets of the service`).toContain(name);
  return `/run/secrets/${name}`;
};

describe('deploy/vigil.yaml', () => {
  const file = join(DEPLOY, 'vigil.yaml');

  it("passes the daemon's config validation with the compose service's environment", () => {
    const env = withLocalSecret(vigilEnv(), secretPath(vigil, 'mqtt_password'));
    const c = resolveConfig({ file: readConfigFile(file), fileName: file, env });
    expect(c.broker?.url).toMatch(/^mqtts?:\/\//);
    // A persistent session needs a stable id; the password comes from a file, never the config.
    expect(c.broker?.clean).toBe(false);
    expect(c.broker?.clientId).toBeTruthy();
    expect(c.broker?.username).toBeTruthy();
    expect(c.broker?.password).toEqual({ file: env.VIGIL_BROKER_PASSWORD_FILE });
    expect(c.simulator.enabled).toBe(false);
    expect(c.log.pretty).toBe(false);
    // Models live in the state volume's models/ by convention, next to the fine-tuned checkpoints.
    expect(c.stateDir).toBe('/data');
    expect(c.model.path).toMatch(/^\/data\/models\/[\w.-]+\.onnx$/);
  });

  it('leaves out what the environment sets in each deployment (the environment would win anyway)', () => {
    const raw = readConfigFile(file) as { stateDir?: unknown; http?: unknown; broker: { password?: unknown } };
    expect(raw.stateDir).toBeUndefined();
    expect(raw.http).toBeUndefined();
    expect(raw.broker.password).toBeUndefined();
  });

  it('passes `vigil config check` with that environment', async () => {
    const env = withLocalSecret(vigilEnv(), secretPath(vigil, 'mqtt_password'));
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const r = await runCli(['config', 'check', file]);
      expect(r.stderr).not.toMatch(/invalid configuration/);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/: ok\n/);
    } finally {
      for (const k of Object.keys(env)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });
});

describe('deploy/compose.yaml', () => {
  it('parses, and every file or directory it mounts exists (named volumes are declared)', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['mosquitto', 'vigil']));
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
    for (const service of Object.values(compose.services)) {
      for (const name of service.secrets ?? []) expect(compose.secrets, `secret ${name}`).toHaveProperty(name);
    }
  });

  it('mounts the config where VIGIL_CONFIG points and a named volume at the state directory, which holds the model', () => {
    const env = vigilEnv();
    expect(binds(vigil).find((b) => b.source === './vigil.yaml')?.target).toBe(env.VIGIL_CONFIG);
    const state = binds(vigil).find((b) => b.target === env.VIGIL_STATE_DIR);
    expect(state, `a volume at ${env.VIGIL_STATE_DIR}`).toBeDefined();
    expect(compose.volumes).toHaveProperty(state!.source);
    const { model } = readConfigFile(join(DEPLOY, 'vigil.yaml')) as { model: { path: string } };
    expect(model.path.startsWith(`${env.VIGIL_STATE_DIR}/models/`)).toBe(true);
  });

  it("starts `vigil run` against vigil.yaml's broker with the secret's password, never the simulator or the embedded broker", async () => {
    // The mounted vigil.yaml is deploy/vigil.yaml (the mounts test checks the target is VIGIL_CONFIG).
    const env: Record<string, string> = { ...withLocalSecret(vigilEnv(), secretPath(vigil, 'mqtt_password')), VIGIL_CONFIG: join(DEPLOY, 'vigil.yaml') };
    const c = await configOfCommandLine(vigil.command!, env);
    expect(c.broker?.url).toBe('mqtt://mosquitto:1883');
    expect(c.broker?.username).toBe('vigil');
    expect(c.broker?.password).toEqual({ file: env.VIGIL_BROKER_PASSWORD_FILE });
    expect(c.simulator.enabled).toBe(false);
    expect(c.stateDir).toBe('/data');
    expect(c.http).toEqual({ host: '0.0.0.0', port: 9464 });
    // The flag holds even if someone turns the simulator on in the file or the environment.
    const forced = await configOfCommandLine(vigil.command!, { ...env, VIGIL_SIMULATOR_ENABLED: 'true' });
    expect(forced.simulator.enabled).toBe(false);
  });

  it('every VIGIL_* variable it sets is a setting the daemon reads (a typo would be ignored silently)', () => {
    for (const service of Object.values(compose.services)) {
      for (const [name, value] of Object.entries(service.environment ?? {})) {
        if (!name.startsWith('VIGIL_') || name === 'VIGIL_CONFIG') continue; // VIGIL_CONFIG: read by `vigil run` itself
        const { config, problems } = configFromEnv({ [name]: value });
        expect(problems, name).toEqual([]);
        expect(Object.keys(config), `${name} sets nothing`).not.toHaveLength(0);
      }
    }
  });

  it('gives the daemon longer to stop than its drain deadline plus the CLI margin', () => {
    const deadline = Number(vigil.environment!.VIGIL_SHUTDOWN_DEADLINE_MS ?? DEFAULT_CONFIG.shutdown.deadlineMs);
    expect(seconds(String(vigil.stop_grace_period)) * 1000).toBeGreaterThan(deadline + CLI_MARGIN_MS);
    expect(vigil.restart).toBe('unless-stopped');
    expect(JSON.stringify(vigil.healthcheck)).toContain('/healthz');
  });

  it("the `simulator` profile runs `vigil simulate` from Vigil's image against the same broker, under its own login from a secret", async () => {
    const simulator = compose.services.simulator;
    expect(simulator.profiles).toEqual(['simulator']);
    expect(simulator.image).toBe(vigil.image);
    expect(simulator.healthcheck).toEqual({ disable: true }); // the image's check is Vigil's /healthz
    expect(simulator.tmpfs).toContain(envOf(dockerfile()).VIGIL_STATE_DIR); // no anonymous volume per container
    const [command, ...args] = simulator.command!;
    expect(command).toBe('simulate');
    let flags: Record<string, unknown> | undefined;
    const cmd = simulateCommand().exitOverride().action((f: Record<string, unknown>) => {
      flags = f;
    });
    await cmd.parseAsync(args, { from: 'user' });
    const f = flags as { broker: string; username: string; passwordFile: string; machines: number; fault: string[]; out?: string };
    expect(f.out).toBeUndefined(); // publishing, not writing a log
    expect(f.broker).toBe((readConfigFile(join(DEPLOY, 'vigil.yaml')) as { broker: { url: string } }).broker.url);
    expect(f.username).not.toBe('vigil');
    expect(f.passwordFile).toBe(secretPath(simulator, 'simulator_password'));
    const ids = Array.from({ length: f.machines }, (_, i) => `pump-${String(i + 1).padStart(2, '0')}`);
    expect(f.fault.flatMap((spec) => parseFaultSpec(spec, ids)).length).toBeGreaterThan(0);
  });

  it('mosquitto requires a login from its password file and keeps queued messages: persistence on, autosave explicit, per-client queue above the 1000 default', () => {
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
    const passwd = conf.get('password_file')!;
    expect(passwd).toBe(secretPath(mosquitto, passwd.split('/').pop()!));
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
    expect(c.stateDir).toBe('/data');
  });

  it('its VIGIL_* defaults are settings: state in the /data volume, health port reachable from outside the container', () => {
    const env = envOf(runtime);
    for (const name of Object.keys(env).filter((n) => n.startsWith('VIGIL_'))) {
      const { config, problems } = configFromEnv({ [name]: env[name] });
      expect(problems, name).toEqual([]);
      expect(Object.keys(config), `${name} sets nothing`).not.toHaveLength(0);
    }
    const c = resolveConfig({ env });
    expect(c.stateDir).toBe('/data');
    expect(c.http?.host).toBe('0.0.0.0');
    expect(JSON.parse(one('VOLUME'))).toEqual([c.stateDir]);
    // models/ exists in the image, owned by the runtime user, so a fresh volume gets it.
    expect(runtime.some((i) => i.op === 'RUN' && i.args.includes(`mkdir -p ${c.stateDir}/models`) && i.args.includes(`chown -R node:node ${c.stateDir}`))).toBe(true);
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
  const unitEnv = (): Record<string, string> => Object.fromEntries(unit.get('Environment')!.map((e) => e.split('=', 2) as [string, string]));

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

  it('starts `vigil run` on vigil.yaml without the simulator, the model and state in StateDirectory, the password from its credential', async () => {
    const env = unitEnv();
    expect(env.VIGIL_STATE_DIR).toBe('/var/lib/vigil');
    expect(env.VIGIL_CONFIG).toBe('/etc/vigil/vigil.yaml');
    expect(env.VIGIL_MODEL_PATH.startsWith(`${env.VIGIL_STATE_DIR}/models/`)).toBe(true);
    // LoadCredential=NAME:SOURCE puts the file at /run/credentials/<unit>/NAME.
    const credential = get('LoadCredential').split(':')[0];
    const [node, cli, ...args] = get('ExecStart').split(/\s+/);
    expect(node).toMatch(/^\/.*\/node$/);
    expect(cli).toMatch(/\/dist\/agent\/cli\.js$/);
    const local = withLocalSecret({ ...env, VIGIL_CONFIG: join(DEPLOY, 'vigil.yaml') }, `/run/credentials/vigil.service/${credential}`);
    const c = await configOfCommandLine(args, local);
    expect(c.simulator.enabled).toBe(false);
    expect(c.broker?.password).toEqual({ file: local.VIGIL_BROKER_PASSWORD_FILE });
    expect(c.stateDir).toBe('/var/lib/vigil');
    expect(c.model.path).toBe(env.VIGIL_MODEL_PATH);
  });

  it('stops with SIGTERM and waits longer than the daemon drains; reloads with SIGHUP; restarts on failure', () => {
    expect(get('KillSignal')).toBe('SIGTERM');
    const deadline = Number(unitEnv().VIGIL_SHUTDOWN_DEADLINE_MS ?? DEFAULT_CONFIG.shutdown.deadlineMs);
    expect(seconds(get('TimeoutStopSec')) * 1000).toBeGreaterThan(deadline + CLI_MARGIN_MS);
    expect(get('ExecReload')).toMatch(/kill -HUP \$MAINPID$/);
    expect(get('Restart')).toBe('on-failure');
  });
});
