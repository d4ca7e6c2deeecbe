// Crash safety for real: a child process appends alerts and is SIGKILLed mid-stream, six times
// over the same directory (segments rotating and being compacted while it dies). After each kill, reopening must find every id the child printed as
// appended (and did not acknowledge) pending, in the order printed, with its payload intact.
// (SIGKILL cannot tear a single write() the kernel accepted, so torn tails are covered byte by
// byte in outbox.test.ts rather than hoped for here.)

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openOutbox } from '../../../agent/sink/outbox.js';
import { crashPayload } from './outbox-crash-payload.js';
import { removeTempDirs, tempDir } from './outbox-helpers.js';

const child = fileURLToPath(new URL('./outbox-crash-child.ts', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));
afterEach(removeTempDirs);

/** Runs the harness until it has printed `killAfter` appends, SIGKILLs it, returns every line it printed. */
function runUntilKilled(dir: string, round: number, killAfter: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', child, dir, String(round), String(64 * 1024)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    let err = '';
    let appended = 0;
    p.stdout.on('data', (chunk: Buffer) => {
      const s = chunk.toString();
      text += s;
      appended += s.split('\n').filter((l) => l.startsWith('A ')).length;
      if ((appended >= killAfter && text.includes('ready\n')) || killAfter === 0) p.kill('SIGKILL');
    });
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    p.on('error', reject);
    p.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`harness exited (${code}) instead of being killed:\n${err}`));
      else resolve(text.split('\n').slice(0, -1)); // a last line without newline was cut mid-write
    });
  });
}

describe('outbox under SIGKILL', () => {
  it('keeps every appended alert, in order, across six kills of the writing process', async () => {
    const dir = await tempDir();
    const promised: string[] = []; // printed A, in print order, across rounds
    const acked = new Set<string>();
    const attempted = /^r\d-m[0-3]-\d+$/;
    for (const [round, killAfter] of [0, 1, 37, 400, 1500, 3000].entries()) {
      for (const line of await runUntilKilled(dir, round, killAfter)) {
        if (line.startsWith('A ')) promised.push(line.slice(2));
        if (line.startsWith('K ')) acked.add(line.slice(2));
      }
      const box = await openOutbox({ dir, maxBytes: 1 << 30, maxAgeMs: 1e15, segmentBytes: 64 * 1024 });
      const pending = box.pending();
      const pendingIds = pending.map((r) => r.id);
      const at = new Map(pendingIds.map((id, i) => [id, i]));
      // Every printed, unacknowledged id is there ...
      expect(promised.filter((id) => !acked.has(id) && !at.has(id))).toEqual([]);
      // ... in the order it was printed (acked ones may come back as duplicates: allowed) ...
      const positions = promised.filter((id) => at.has(id)).map((id) => at.get(id)!);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
      // ... nothing else but ids the harness really tried, each with its payload intact.
      expect(pendingIds.filter((id) => !attempted.test(id))).toEqual([]);
      expect(pending.filter((r) => r.payload !== crashPayload(r.id)).map((r) => r.id)).toEqual([]);
      for (const m of [0, 1, 2, 3]) {
        // Per machine: rounds ascending, and within a round the counter ascending.
        const ns = box.pending(`m${m}`).map((r) => /^r(\d)-m\d-(\d+)$/.exec(r.id)!.slice(1).map(Number));
        expect(ns).toEqual([...ns].sort((a, b) => a[0] - b[0] || a[1] - b[1]));
      }
      await box.close();
    }
    expect(promised.length).toBeGreaterThan(3000);
  });
});
