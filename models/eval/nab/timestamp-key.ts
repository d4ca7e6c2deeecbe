// How NAB compares timestamps: as instants. It parses the data files' `2014-04-10 07:15:00` with
// pandas and the labels' `2014-04-10 07:15:00.000000` with strptime, and compares the datetimes, so
// the two spellings are the same row. nabTimestampKey spells both one way: `YYYY-MM-DD HH:MM:SS`
// followed by nine fraction digits (a date alone is midnight; `T` may separate date and time).
// Anything else is its own key (equal only to the same string), never an error here.

const NAB_TIMESTAMP = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?)?$/;

export function nabTimestampKey(timestamp: string): string {
  const m = NAB_TIMESTAMP.exec(timestamp.trim());
  if (!m) return timestamp;
  return `${m[1]} ${m[2] ?? '00:00:00'}.${(m[3] ?? '').padEnd(9, '0')}`;
}
