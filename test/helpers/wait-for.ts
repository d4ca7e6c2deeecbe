// Waiting on conditions, for integration tests on slow or shared machines: poll until `check` holds.
// The bound is generous and only turns a hang into a failure naming what was awaited (and, through
// `detail`, what was seen instead); it is not a timing assertion.

export interface WaitOptions {
  /** Give up after this long. Default 60 s. */
  readonly boundMs?: number;
  /** Poll interval. Default 20 ms. */
  readonly everyMs?: number;
  /** Appended to the failure message: the state that never became right. */
  readonly detail?: () => string;
}

export async function waitFor(what: string, check: () => boolean | Promise<boolean>, options: WaitOptions = {}): Promise<void> {
  const { boundMs = 60_000, everyMs = 20 } = options;
  const until = Date.now() + boundMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`gave up after ${boundMs} ms waiting for: ${what}${options.detail ? `\n${options.detail()}` : ''}`);
    await sleep(everyMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
