import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { readManifest } from '../../src/trainer/data/manifest';
import { prepareSubsets } from '../../src/trainer/data/prepare';
import type { SourceScan } from '../../src/trainer/data/sourceScan';
import { describeShortTest, planSplit } from '../../src/trainer/data/splitPlan';
import { UserError } from '../../src/trainer/util/errors';

function flatScan(perClass: Record<string, number[]>): SourceScan {
  return {
    dir: '/data',
    layout: 'flat',
    classes: Object.entries(perClass).map(([name, numbers]) => ({ name, files: numbers.map((n) => `${name}.${n}.jpg`) })),
    skipped: [],
  } as SourceScan;
}

const range = (from: number, to: number, missing: number[] = []) => Array.from({ length: to - from + 1 }, (_, i) => from + i).filter((n) => !missing.includes(n));

describe('split plan with a short test subset (the dogs-vs-cats copy: 1..2500 with gaps)', () => {
  it('keeps train and validation complete and takes the test images there are, with a warning', () => {
    const scan = flatScan({ cat: range(1, 2500, [596, 1423, 2433]), dog: range(1, 2500, [316, 630, 927, 1174, 1324, 1381, 2068, 2188]) });
    const plan = planSplit({ scan, counts: { train: 1000, validation: 500, test: 1000 } });
    assert.equal(plan.subsets.train.dog.length, 1000);
    assert.equal(plan.subsets.validation.dog.length, 500);
    assert.equal(plan.subsets.test.dog.length, 992);
    assert.equal(plan.subsets.test.cat.length, 997);
    assert.equal(plan.subsets.train.dog.at(-1), 'dog.1003.jpg', 'three gaps below 1000: the 1000th dog is N=1003');
    assert.deepEqual(plan.shortTest, [
      { className: 'cat', wanted: 1000, got: 997 },
      { className: 'dog', wanted: 1000, got: 992 },
    ]);
    assert.match(describeShortTest(plan) ?? '', /cat 997 of 1,000, dog 992 of 1,000/);
  });

  it('refuses when train or validation cannot be filled, naming the counts found', () => {
    const scan = flatScan({ cat: range(1, 30), dog: range(1, 12) });
    assert.throws(
      () => planSplit({ scan, counts: { train: 10, validation: 5, test: 10 } }),
      (error: unknown) => error instanceof UserError && error.code === 'too-few-images' && /Found: cat 30, dog 12/.test(error.message),
    );
  });

  it('a full split has no warning', () => {
    const plan = planSplit({ scan: flatScan({ a: range(1, 10), b: range(1, 10) }), counts: { train: 5, validation: 2, test: 3 } });
    assert.deepEqual(plan.shortTest, []);
    assert.equal(describeShortTest(plan), null);
  });
});

describe('a prepared folder with a short test subset', () => {
  it('is prepared, read back and recognised as unchanged on a second prepare', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sc-short-'));
    try {
      const source = join(root, 'source');
      mkdirSync(source);
      const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#808080' } }).png().toBuffer();
      for (const n of range(1, 10, [4])) writeFileSync(join(source, `cat.${n}.png`), png);
      for (const n of range(1, 10)) writeFileSync(join(source, `dog.${n}.png`), png);
      const out = join(root, 'out');
      const first = await prepareSubsets({ source, out, counts: { train: 5, validation: 2, test: 3 } });
      assert.equal(first.warnings.length, 1);
      assert.match(first.warnings[0], /cat 2 of 3/);
      const manifest = await readManifest(out);
      assert.equal(manifest?.files.test.cat.length, 2);
      const second = await prepareSubsets({ source, out, counts: { train: 5, validation: 2, test: 3 } });
      assert.equal(second.unchanged, true);
      assert.equal(second.copied, 0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
