// The agent's HTTP face for the platform: liveness, readiness and Prometheus metrics.
//   GET /healthz  200 {"status":"alive"} while the process can answer at all
//   GET /readyz   200 {"ready":true,"reasons":[]} or 503 {"ready":false,"reasons":[...]}
//                 (e.g. "broker not connected", "models not loaded"); a throwing check is a 503
//   GET /metrics  Prometheus text exposition of the agent's registry
// Anything else is 404 (405 for a known path with a method other than GET/HEAD).
// Listens on 127.0.0.1 by default: expose it deliberately (host: '0.0.0.0') or via a scraper
// on the device. `port: 0` picks a free port; the bound one is on the returned server.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { VigilMetrics } from './metrics.js';

export interface Readiness {
  readonly ready: boolean;
  readonly reasons: readonly string[];
}

export interface HealthServerOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly metrics: Pick<VigilMetrics, 'render' | 'contentType'>;
  readonly ready: () => Readiness;
}

export interface HealthServer {
  readonly host: string;
  readonly port: number;
  /** e.g. http://127.0.0.1:9464 */
  readonly url: string;
  /** Stops listening and ends open (keep-alive) connections. */
  close(): Promise<void>;
}

export async function openHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const host = options.host ?? '127.0.0.1';
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new RangeError(`openHealthServer: port must be an integer in 0..65535 (0 picks a free one), got ${options.port}`);
  }
  const server = createServer((req, res) => {
    handle(req, res, options).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', `internal error: ${String(err)}\n`, req.method === 'HEAD');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    host,
    port,
    url: `http://${urlHost}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

const ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

async function handle(req: IncomingMessage, res: ServerResponse, options: HealthServerOptions): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  const head = req.method === 'HEAD';
  if (!ROUTES.has(path)) return send(res, 404, 'application/json', json({ error: `no such endpoint: ${path}` }), head);
  if (req.method !== 'GET' && !head) {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, 405, 'application/json', json({ error: `${req.method} not allowed; use GET` }), head);
  }
  switch (path) {
    case '/healthz':
      return send(res, 200, 'application/json', json({ status: 'alive' }), head);
    case '/readyz': {
      const readiness = checkReady(options.ready);
      return send(res, readiness.ready ? 200 : 503, 'application/json', json(readiness), head);
    }
    default:
      return send(res, 200, options.metrics.contentType, await options.metrics.render(), head);
  }
}

function checkReady(ready: () => Readiness): Readiness {
  try {
    const r = ready();
    return { ready: r.ready, reasons: [...r.reasons] };
  } catch (err) {
    return { ready: false, reasons: [`readiness check failed: ${err instanceof Error ? err.message : String(err)}`] };
  }
}

function json(body: unknown): string {
  return `${JSON.stringify(body)}\n`;
}

function send(res: ServerResponse, status: number, contentType: string, body: string, head: boolean): void {
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(head ? undefined : body);
}
