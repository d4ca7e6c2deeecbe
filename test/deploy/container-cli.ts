// The container engine the image test drives: docker where a Docker engine answers, else podman (the
// project's build machines have no Docker engine; /work/shared/notes/containers.md). VIGIL_CONTAINER_CLI
// (docker or podman) chooses explicitly. Every call runs the CLI with an argument list (no shell) and
// resolves with its exit code and output; nothing here throws on a non-zero exit.

import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ContainerCli {
  readonly name: 'docker' | 'podman';
  /** Runs `<cli> ...args`. */
  run(args: readonly string[]): Promise<CliResult>;
  /** Flags for `build` on this engine: the notes' recipe on podman (host network, the machine's CA
   *  bundle for npm behind a TLS-inspecting proxy, docker format so HEALTHCHECK is kept). */
  buildFlags(): string[];
}

const works = (cli: string, args: readonly string[]): boolean => {
  try {
    execFileSync(cli, args, { stdio: 'ignore', timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
};

/** The engine to use, or why there is none. */
export function detectContainerCli(env: NodeJS.ProcessEnv = process.env): ContainerCli | string {
  const wanted = env.VIGIL_CONTAINER_CLI;
  if (wanted !== undefined && wanted !== 'docker' && wanted !== 'podman') return `VIGIL_CONTAINER_CLI=${wanted}: must be docker or podman`;
  const docker = wanted !== 'podman' && works('docker', ['info']);
  if (docker) return containerCli('docker', env);
  if (wanted === 'docker') return 'VIGIL_CONTAINER_CLI=docker, but `docker info` fails: no Docker engine reachable';
  if (works('podman', ['--version'])) return containerCli('podman', env);
  return 'neither a Docker engine (`docker info`) nor podman is available; on the project machines: source ../shared/scripts/container-env.sh';
}

function containerCli(name: 'docker' | 'podman', env: NodeJS.ProcessEnv): ContainerCli {
  const extra = (env.VIGIL_IMAGE_BUILD_FLAGS ?? '').split(/\s+/).filter(Boolean);
  return {
    name,
    run: (args) =>
      new Promise((resolve) => {
        execFile(name, [...args], { maxBuffer: 64 << 20, env }, (err, stdout, stderr) => {
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
        });
      }),
    buildFlags() {
      const flags = ['--network', 'host'];
      if (name === 'podman') {
        flags.push('--format', 'docker'); // podman's default OCI format drops HEALTHCHECK
        const bundle = '/etc/ssl/certs/ca-certificates.crt';
        if (existsSync(bundle)) flags.push('-v', '/etc/ssl/certs:/etc/ssl/certs:ro', '--build-arg', `NPM_CONFIG_CAFILE=${bundle}`);
      }
      return [...flags, ...extra];
    },
  };
}
