// Crash harness, run as a child process by outbox-crash.test.ts (node --import tsx):
//   outbox-crash-child.ts <dir> <round> <segmentBytes>
// Opens the outbox, acknowledges the older half of what it recovered, then appends alerts for 4
// machines concurrently until killed. Prints "K <id>" after each ack and "A <id>" after each append
// resolves: a printed A is a promise the outbox must keep across SIGKILL.

import { openOutbox } from '../../../agent/sink/outbox.js';
import { crashPayload } from './outbox-crash-payload.js';

const [dir, round, segmentBytes] = process.argv.slice(2);
const box = await openOutbox({ dir, maxBytes: 1 << 30, maxAgeMs: 1e15, segmentBytes: Number(segmentBytes) });
const out = (line: string): boolean => process.stdout.write(`${line}\n`);
const recovered = box.pending();
for (const r of recovered.slice(0, recovered.length >> 1)) if (box.ack(r.id)) out(`K ${r.id}`);
out('ready');
await Promise.all(
  [0, 1, 2, 3].map(async (m) => {
    for (let n = 0; ; n++) {
      const id = `r${round}-m${m}-${n}`;
      await box.append({ id, key: `m${m}`, kind: 'alert', topic: `vigil/alerts/m${m}`, payload: crashPayload(id), createdAt: Date.now() });
      out(`A ${id}`);
      if (n % 3 !== 0 && box.ack(id)) out(`K ${id}`);
    }
  }),
);
