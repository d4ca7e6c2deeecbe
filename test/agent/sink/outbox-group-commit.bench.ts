// What group commit buys: appends per second with one fsync per append (each awaited in turn)
// against the same appends from 16 concurrent producers sharing write + fsync per tick.
// Run: npx tsx test/agent/sink/outbox-group-commit.bench.ts [dir]   (dir on the disk that matters)
// Not a test (no timing in tests); lives beside the outbox tests to stay inside their scope.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openOutbox } from '../../../agent/sink/outbox.js';

const N = 2000;
const payload = JSON.stringify({ machineId: 'press-7', state: 'raised', score: 4.2, threshold: 3, topChannels: [{ channel: 'vib', score: 3.9 }] });

async function run(label: string, producers: number): Promise<void> {
  const dir = await mkdtemp(join(process.argv[2] ?? tmpdir(), 'vigil-bench-'));
  const box = await openOutbox({ dir, maxBytes: 1 << 30, maxAgeMs: 1e12 });
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: producers }, async (_, p) => {
      for (let i = p; i < N; i += producers)
        await box.append({ id: `a${i}`, key: `m${i % 16}`, kind: 'alert', topic: 'vigil/alerts', payload, createdAt: Date.now() });
    }),
  );
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const { writes, syncs } = box.stats;
  await box.close();
  await rm(dir, { recursive: true, force: true });
  process.stdout.write(`${label.padEnd(28)} ${(N / s).toFixed(0).padStart(7)} appends/s  ${writes} writes  ${syncs} fsyncs  (${N} appends)\n`);
}

await run('1 producer (fsync each)', 1);
await run('16 producers (group commit)', 16);
