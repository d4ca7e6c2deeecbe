// `vigil bench skab` as a child process: the table beside the leaderboard on stdout, results.json
// and table.md with --out, and exit code 2 naming the fix for a wrong directory or a streaming run
// asked of SKAB's non-causal alignment.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../commands/run-cli.js';

const DATA = '../shared/datasets/skab';
const out = mkdtempSync(join(tmpdir(), 'vigil-skab-cli-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('vigil bench skab (CLI)', () => {
  it('prints the table beside the leaderboard and writes results.json and table.md', async () => {
    const r = await runCli(['bench', 'skab', '--data', DATA, '--detector', 'dense-ae', '--files', 'valve2/1', '--epochs', '1', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\| \*\*Vigil dense-ae, frozen, causal\*\* \|/);
    expect(r.stdout).toMatch(/\| \*\*Vigil dense-ae, streaming, causal\*\* \|/);
    expect(r.stdout).toContain('| Conv-AE | 0.78 | 13.55 | 28.02 | 23.61 | 21.54 | 27.55 | 82 | 23 | – |');
    expect(r.stderr).toContain('1/1 valve2/1');
    expect(readFileSync(join(out, 'table.md'), 'utf8')).toBe(r.stdout);
    const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(json.runs).toHaveLength(2);
    expect(json.runs[0].files[0].predicted).toHaveLength(663); // valve2/1: 1063 rows, 400 of them training
  });

  it("runs Vigil's configuration by default", async () => {
    const r = await runCli(['bench', 'skab', '--data', DATA, '--files', 'valve2/1', '--mode', 'frozen']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\| \*\*Vigil vigil, frozen, causal\*\* \|/);
    expect(r.stderr).toContain('dense-ae');
  });

  it('exits 2 naming the problem for a directory without SKAB data, and for streaming with SKAB alignment', async () => {
    const bad = await runCli(['bench', 'skab', '--data', out]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/no SKAB data here/);
    const skab = await runCli(['bench', 'skab', '--data', DATA, '--profile', 'skab', '--mode', 'streaming', '--files', 'valve2/1']);
    expect(skab.code).toBe(2);
    expect(skab.stderr).toMatch(/--alignment causal/);
    const vigilSpec = await runCli(['bench', 'skab', '--data', DATA, '--detector', 'vigil', '--profile', 'skab', '--files', 'valve2/1']);
    expect(vigilSpec.code).toBe(2);
    expect(vigilSpec.stderr).toMatch(/no SKAB-spec profile; use --profile vigil/);
  });
});
