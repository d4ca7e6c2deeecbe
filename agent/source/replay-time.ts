// Event times as replay files write them, to epoch milliseconds (undefined when unreadable):
//   numbers, or digit strings, by magnitude: < 1e11 epoch seconds (fractions kept), < 1e14 ms,
//   < 1e17 µs, else ns (the same rule the reading stage applies to payloads);
//   date-times "2013-12-02 21:15:00", "2020-03-09T10:14:33.250", with an optional zone "Z",
//   "+02:00" or "+0200". No zone means UTC: NAB and SKAB publish naive times, and reading them as
//   the device's local time would make a replay depend on where it runs.

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)? ?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;
const EPOCH = /^\d+(?:\.\d+)?$/;

function fromEpoch(v: number): number {
  return v < 1e11 ? v * 1000 : v < 1e14 ? v : v < 1e17 ? v / 1e3 : v / 1e6;
}

export function parseReplayTime(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) && raw >= 0 ? fromEpoch(raw) : undefined;
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  if (EPOCH.test(text)) return fromEpoch(Number(text));
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [+m[1], +m[2], +m[3]];
  const [hour, minute, second] = [+(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0)];
  if (year < 100 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const date = Date.UTC(year, month - 1, day);
  if (new Date(date).getUTCDate() !== day) return undefined; // 2021-02-30
  let offsetMinutes = 0;
  if (m[9]) {
    const [oh, om] = [+m[10], +m[11]];
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const fraction = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  return date + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + fraction;
}
