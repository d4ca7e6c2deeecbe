// Headless Chromium for browser tests, driven over the Chrome DevTools Protocol on a pipe
// (--remote-debugging-pipe: requests on fd 3, replies and events on fd 4, each a JSON message ended
// by a NUL byte), so no port is opened and no package is needed. One browser per openChromium(),
// with a fresh --user-data-dir; close() ends exactly the process it started, by its PID.
// Chromium is Debian's `chromium` package, which .ci/run installs: without it these tests are
// skipped with the install command as the reason, and with VIGIL_REQUIRE_CHROMIUM=1 (set by
// .ci/run) its absence fails the run instead.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome'];

/** The browser to run: $VIGIL_CHROMIUM, else the first of chromium, chromium-browser, google-chrome on PATH. */
function findChromium(): string | null {
  const given = process.env.VIGIL_CHROMIUM;
  for (const name of given ? [given] : CANDIDATES) {
    try {
      execFileSync(name, ['--version'], { stdio: 'ignore' });
      return name;
    } catch {
      // not this one
    }
  }
  return null;
}

export const CHROMIUM = findChromium();

/** Why browser tests cannot run here, or null when they can. */
export const CHROMIUM_MISSING: string | null = (() => {
  if (CHROMIUM !== null) return null;
  const reason = 'chromium is not installed (apt-get install -y chromium; .ci/run does it)';
  if (process.env.VIGIL_REQUIRE_CHROMIUM === '1') throw new Error(`${reason}, and VIGIL_REQUIRE_CHROMIUM=1 requires it`);
  return reason;
})();

export interface CdpEvent {
  readonly method: string;
  readonly params: Record<string, unknown>;
  readonly sessionId?: string;
}

export interface Page {
  /** A CDP command on this page's session. */
  send<T = Record<string, unknown>>(method: string, params?: Record<string, unknown>): Promise<T>;
  /** Every event of this page so far. */
  readonly events: readonly CdpEvent[];
  /** Resolves at the next event with this method (and matching `where`). */
  next(method: string, where?: (e: CdpEvent) => boolean): Promise<CdpEvent>;
  /** Evaluates an expression in the page and returns its value (promises awaited); throws on an exception. */
  evaluate<T>(expression: string): Promise<T>;
}

export interface Browser {
  newPage(width: number, height: number): Promise<Page>;
  close(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export async function openChromium(): Promise<Browser> {
  if (CHROMIUM === null) throw new Error(CHROMIUM_MISSING ?? 'chromium is missing');
  const profile = mkdtempSync(join(tmpdir(), 'vigil-chromium-'));
  const child = spawn(CHROMIUM, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--no-first-run', '--no-default-browser-check', '--disable-extensions', '--disable-dev-shm-usage', '--hide-scrollbars',
    '--mute-audio', `--user-data-dir=${profile}`, '--remote-debugging-pipe', 'about:blank',
  ], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
  live.add(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const toBrowser = child.stdio[3] as Writable;
  const fromBrowser = child.stdio[4] as Readable;

  let nextId = 1;
  const waiting = new Map<number, { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void; method: string }>();
  const events: CdpEvent[] = [];
  const listeners = new Set<(e: CdpEvent) => void>();
  let buffer = '';
  let exited: Error | null = null;
  fromBrowser.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let end: number;
    while ((end = buffer.indexOf('\0')) >= 0) {
      const msg = JSON.parse(buffer.slice(0, end)) as { id?: number; result?: Record<string, unknown>; error?: { message: string }; method?: string; params?: Record<string, unknown>; sessionId?: string };
      buffer = buffer.slice(end + 1);
      if (msg.id !== undefined) {
        const w = waiting.get(msg.id);
        waiting.delete(msg.id);
        if (msg.error) w?.reject(new Error(`${w.method}: ${msg.error.message}`));
        else w?.resolve(msg.result ?? {});
      } else if (msg.method) {
        const e = { method: msg.method, params: msg.params ?? {}, sessionId: msg.sessionId };
        events.push(e);
        for (const l of listeners) l(e);
      }
    }
  });
  const exit = new Promise<void>((resolve) => child.once('exit', () => {
    live.delete(child);
    exited = new Error(`chromium exited; its stderr ends with:\n${stderr}`);
    for (const w of waiting.values()) w.reject(exited);
    waiting.clear();
    resolve();
  }));

  const send = <T>(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<T> => {
    if (exited) return Promise.reject(exited);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      waiting.set(id, { resolve: resolve as (v: Record<string, unknown>) => void, reject, method });
      toBrowser.write(`${JSON.stringify({ id, method, params, ...(sessionId && { sessionId }) })}\0`);
    });
  };

  return {
    async newPage(width, height) {
      const { targetId } = await send<{ targetId: string }>('Target.createTarget', { url: 'about:blank' });
      const { sessionId } = await send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
      const mine = (e: CdpEvent): boolean => e.sessionId === sessionId;
      const page: Page = {
        send: (method, params) => send(method, params, sessionId),
        get events() {
          return events.filter(mine);
        },
        next(method, where = () => true) {
          return new Promise((resolve) => {
            const l = (e: CdpEvent): void => {
              if (mine(e) && e.method === method && where(e)) {
                listeners.delete(l);
                resolve(e);
              }
            };
            listeners.add(l);
          });
        },
        async evaluate<T>(expression: string) {
          const r = await send<{ result: { value?: T }; exceptionDetails?: { text: string; exception?: { description?: string } } }>('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }, sessionId);
          if (r.exceptionDetails) throw new Error(`in the page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
          return r.result.value as T;
        },
      };
      for (const domain of ['Runtime', 'Log', 'Page', 'Network']) await page.send(`${domain}.enable`);
      await page.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });
      return page;
    },
    async close() {
      if (!exited) {
        await send('Browser.close').catch(() => undefined);
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exit;
        clearTimeout(timer);
      }
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
