/**
 * The bench's step over core counts (src/trainer/bench/threadScaling.ts): `--threads` parsed with a message
 * naming the flag, one row per count against PyTorch's faster layout, and the worst row for the last line.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseThreadCounts, scalingTable, worstRatio, type ScalingRow } from '../../src/trainer/bench/threadScaling';

const ROWS: ScalingRow[] = [
  { threads: 1, torch: { nchw: 4687, channels_last: 3026 }, portableMs: 922 },
  { threads: 2, torch: { nchw: 2635, channels_last: 2231 }, portableMs: 483 },
  { threads: 16, torch: { nchw: 200, channels_last: 150 }, portableMs: 90 },
];

describe('--threads', () => {
  it('takes a comma-separated list of positive counts in the order given', () => {
    assert.deepEqual(parseThreadCounts('1,2,4,8,16'), [1, 2, 4, 8, 16]);
    assert.deepEqual(parseThreadCounts(' 4, 1 '), [4, 1]);
  });

  it('refuses a missing, non-numeric, zero or repeated count, naming the flag and an example', () => {
    assert.throws(() => parseThreadCounts(undefined), /^Error: --threads: no thread counts\. Give a comma-separated list .* e\.g\. --threads 1,2,4,8,16\.$/);
    assert.throws(() => parseThreadCounts('1,x'), /--threads 1,x: "x" is not a positive whole number/);
    assert.throws(() => parseThreadCounts('0'), /"0" is not a positive whole number/);
    assert.throws(() => parseThreadCounts('2,2'), /a count appears twice/);
  });
});

describe('scaling table', () => {
  it('prints per thread count both PyTorch layouts, the portable step, the ratio to the faster layout and the speed-up over one worker', () => {
    const lines = scalingTable(ROWS);
    const row = (threads: string) => lines.find((line) => line.trim().startsWith(`${threads} `)) ?? '';
    assert.match(row('1'), /^\s+1\s+4687 ms\s+3026 ms\s+922 ms\s+0\.30\s+1\.00x of 1$/);
    assert.match(row('2'), /^\s+2\s+2635 ms\s+2231 ms\s+483 ms\s+0\.22\s+1\.91x of 2$/);
    assert.match(row('16'), /^\s+16\s+200 ms\s+150 ms\s+90 ms\s+0\.60\s+10\.24x of 16$/);
  });

  it('says n/a and why when PyTorch is missing, once', () => {
    const why = 'torch is not installed for /usr/bin/python3 or python3';
    const lines = scalingTable([
      { threads: 1, torch: why, portableMs: 900 },
      { threads: 2, torch: why, portableMs: 460 },
    ]);
    assert.match(lines.find((line) => line.trim().startsWith('2 ')) ?? '', /^\s+2\s+n\/a\s+n\/a\s+460 ms\s+n\/a\s+1\.96x of 2$/);
    assert.equal(lines.filter((line) => line.includes(why)).length, 1);
    assert.equal(worstRatio([{ threads: 1, torch: why, portableMs: 900 }]), undefined);
  });

  it('gives the worst ratio over the rows for the last line', () => {
    const worst = worstRatio(ROWS);
    assert.equal(worst?.threads, 16);
    assert.equal(worst?.ratio.toFixed(2), '0.60');
  });
});
