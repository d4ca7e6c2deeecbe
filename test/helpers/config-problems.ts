// The problems a ConfigError lists, or [] when the call succeeds; other errors are rethrown.
import { ConfigError } from '../../agent/config/resolve.js';

export function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}
