// The payload the crash harness writes for an id: its size varies (tens of bytes to ~20 KB) so
// that some writes are cut short mid-frame, and its content lets the test check every byte read back.

export function crashPayload(id: string): string {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619) >>> 0;
  return `${id}|`.padEnd(50 + (h % 20_000), String.fromCharCode(97 + (h % 26)));
}
