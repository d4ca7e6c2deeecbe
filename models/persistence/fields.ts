// Small typed readers for JSON taken from a file: each returns the value or throws a FieldError
// whose message names the field by its path and says what was expected and what was found:
//   vigil.meta.windowSize: expected an integer >= 1, got "32" (a string)

export class FieldError extends Error {
  override readonly name = 'FieldError';
  constructor(readonly path: string, detail: string) {
    super(`${path}: ${detail}`);
  }
}

/** What a value is, briefly, for "got ..." (strings cut so a hostile file cannot flood the terminal). */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return `${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)} (a string)`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${v} (a ${typeof v})`;
  if (v === undefined) return 'nothing (the field is missing)';
  return `an ${typeof v}`;
}

export function expectObject(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new FieldError(path, `expected an object, got ${describe(v)}`);
  return v as Record<string, unknown>;
}

export function expectString(v: unknown, path: string, nonEmpty = false): string {
  if (typeof v !== 'string') throw new FieldError(path, `expected a string, got ${describe(v)}`);
  if (nonEmpty && v === '') throw new FieldError(path, 'expected a non-empty string');
  return v;
}

export function expectEnum<T extends string>(v: unknown, path: string, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !allowed.includes(v as T)) throw new FieldError(path, `expected one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(v)}`);
  return v as T;
}

export function expectNumber(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new FieldError(path, `expected a finite number, got ${describe(v)}`);
  return v;
}

export function expectInteger(v: unknown, path: string, min: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw new FieldError(path, `expected an integer >= ${min}, got ${describe(v)}`);
  return v;
}

export function expectArray(v: unknown, path: string, length?: number, lengthOf?: string): unknown[] {
  if (!Array.isArray(v)) throw new FieldError(path, `expected an array, got ${describe(v)}`);
  if (length !== undefined && v.length !== length) {
    throw new FieldError(path, `expected ${length} entries${lengthOf ? ` (one per ${lengthOf})` : ''}, got ${v.length}`);
  }
  return v;
}

export function expectNumbers(v: unknown, path: string, length?: number, lengthOf?: string): number[] {
  return expectArray(v, path, length, lengthOf).map((x, i) => expectNumber(x, `${path}[${i}]`));
}

export function expectTimestamp(v: unknown, path: string): string {
  const s = expectString(v, path);
  if (Number.isNaN(Date.parse(s))) throw new FieldError(path, `expected an ISO 8601 date-time, got ${describe(v)}`);
  return s;
}
