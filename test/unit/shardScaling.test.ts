/**
 * The bench's shard table (src/trainer/bench/shardScaling.ts): one worker's step for each pool size, on a shard
 * of batch / workers images made from bytes and maps, and the ideal speed-up each gives over one worker.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { selectBackend } from '../../src/trainer/backend/selectBackend';
import { measureShards, shardTable } from '../../src/trainer/bench/shardScaling';
import { Rng } from '../../src/trainer/util/rng';

const SIZE = 78;

describe('shard table', () => {
  it('steps one replica on a shard of batch / workers images for each pool size', async () => {
    await selectBackend('wasm');
    const rng = new Rng(2);
    const count = 4;
    const data = { count, height: SIZE, width: SIZE, images: Uint8Array.from({ length: count * SIZE * SIZE * 3 }, () => rng.int(256)), labels: Int32Array.from({ length: count }, (_, i) => i % 2) };
    const rows = await measureShards({ model: { recipe: 'augmented', imageSize: SIZE, numClasses: 2, seed: 1 }, data, batch: 4, workers: [1, 2, 4], repeats: 1 });
    assert.deepEqual(rows.map((r) => [r.workers, r.shard]), [[1, 4], [2, 2], [4, 1]]);
    assert.ok(rows.every((r) => r.stepMs > 0 && Number.isFinite(r.stepMs)));
  });

  it('prints per pool size the step, the time per image and the ideal speed-up over one worker', () => {
    const lines = shardTable([
      { workers: 1, shard: 32, stepMs: 900 },
      { workers: 2, shard: 16, stepMs: 460 },
      { workers: 16, shard: 2, stepMs: 75 },
    ]);
    const row = (workers: string) => lines.find((line) => line.trim().startsWith(`${workers} `)) ?? '';
    assert.match(row('1'), /^\s+1\s+32\s+900 ms\s+28\.1 ms\s+1\.00x of 1$/);
    assert.match(row('2'), /^\s+2\s+16\s+460 ms\s+28\.8 ms\s+1\.96x of 2$/);
    assert.match(row('16'), /^\s+16\s+2\s+75 ms\s+37\.5 ms\s+12\.00x of 16$/);
  });
});
