// The demo's state directory (default .vigil/demo, under the git-ignored .vigil/ next to `vigil run`'s
// state but apart from it):
//   models/     the starter model, trained at the first demo and kept (later demos load it)
//   vigil.log   the agent's JSON log of the latest run
//   outbox/, deciders/, models/*.tuned.*   the agent's alert outbox, decider states and fine-tuned model
// Each demo tells the same story from the start: the previous run's outbox, decider states (an open
// alert, a 15-minute cooldown that would hide the next raise) and fine-tuned model are removed first.
// Removing is only done where the demo's marker file is, or in an empty or new directory: a
// `--state-dir` pointing at a real agent's state (its outbox may hold undelivered alerts) is refused.

import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const DEMO_MARKER = '.vigil-demo';

export type PreparedStateDir = { readonly ok: true } | { readonly ok: false; readonly why: string };

export function prepareDemoStateDir(dir: string): PreparedStateDir {
  const marker = join(dir, DEMO_MARKER);
  if (existsSync(dir) && !existsSync(marker) && readdirSync(dir).length > 0) {
    return { ok: false, why: `${dir} is not empty and is not a demo state directory (no ${DEMO_MARKER} file): the demo clears its alert state at every start, so give it a new or empty directory` };
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(marker, 'Written by `vigil demo`: this directory is the demo\'s. Each demo clears outbox/, deciders/ and models/*.tuned.* here at start; models/ keeps the starter model.\n');
  rmSync(join(dir, 'outbox'), { recursive: true, force: true });
  rmSync(join(dir, 'deciders'), { recursive: true, force: true });
  const models = join(dir, 'models');
  if (existsSync(models)) for (const f of readdirSync(models)) if (f.includes('.tuned.')) rmSync(join(models, f), { recursive: true, force: true });
  return { ok: true };
}
