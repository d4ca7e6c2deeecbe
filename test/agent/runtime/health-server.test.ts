import { afterEach, describe, expect, it } from 'vitest';
import { openHealthServer, type HealthServer, type Readiness } from '../../../agent/runtime/health-server.js';
import { createMetrics } from '../../../agent/runtime/metrics.js';

const servers: HealthServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function open(ready: () => Readiness) {
  const metrics = createMetrics({ processMetrics: false });
  const server = await openHealthServer({ port: 0, metrics, ready });
  servers.push(server);
  return { server, metrics };
}

describe('openHealthServer', () => {
  it('listens on 127.0.0.1 on a free port by default', async () => {
    const { server } = await open(() => ({ ready: true, reasons: [] }));
    expect(server.host).toBe('127.0.0.1');
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('answers /healthz with 200 while the process is alive, whatever readiness says', async () => {
    const { server } = await open(() => ({ ready: false, reasons: ['models not loaded'] }));
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'alive' });
  });

  it('answers /readyz with 200 when ready and 503 with the reasons when not', async () => {
    let state: Readiness = { ready: false, reasons: ['broker not connected', 'models not loaded'] };
    const { server } = await open(() => state);
    const notReady = await fetch(`${server.url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(notReady.headers.get('content-type')).toBe('application/json');
    expect(await notReady.json()).toEqual({ ready: false, reasons: ['broker not connected', 'models not loaded'] });

    state = { ready: true, reasons: [] };
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, reasons: [] });
  });

  it('turns a throwing readiness check into a 503 that says so', async () => {
    const { server } = await open(() => {
      throw new Error('state store unreadable');
    });
    const res = await fetch(`${server.url}/readyz`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as Readiness).reasons).toEqual(['readiness check failed: state store unreadable']);
  });

  it('serves the registry as Prometheus text on /metrics', async () => {
    const { server, metrics } = await open(() => ({ ready: true, reasons: [] }));
    metrics.messagesIn.inc({ source: 'replay' }, 42);
    const res = await fetch(`${server.url}/metrics?debug=1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('# TYPE vigil_messages_received_total counter');
    expect(text).toContain('vigil_messages_received_total{source="replay"} 42');
  });

  it('answers 404 for unknown paths and 405 for other methods on known ones', async () => {
    const { server } = await open(() => ({ ready: true, reasons: [] }));
    expect((await fetch(`${server.url}/`)).status).toBe(404);
    expect((await fetch(`${server.url}/admin`)).status).toBe(404);
    const post = await fetch(`${server.url}/healthz`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('close() stops listening even with a keep-alive connection open', async () => {
    const { server } = await open(() => ({ ready: true, reasons: [] }));
    await fetch(`${server.url}/healthz`, { headers: { connection: 'keep-alive' } });
    await servers.pop()!.close();
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it('refuses an invalid port with a message naming the fix', async () => {
    const metrics = createMetrics({ processMetrics: false });
    await expect(openHealthServer({ port: 70_000, metrics, ready: () => ({ ready: true, reasons: [] }) })).rejects.toThrow(/0 picks a free one/);
  });
});
