/** SerialQueue (the trees' refreshes): jobs run one at a time in order; a failed job is reported and the next still runs. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SerialQueue } from '../../src/extension/util/serialQueue';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a slow job finishes before the next one starts; a failure is reported and does not stop the queue', async () => {
  const events: string[] = [];
  const errors: unknown[] = [];
  const queue = new SerialQueue((error) => errors.push(error));
  queue.push(async () => {
    events.push('slow start');
    await delay(30);
    events.push('slow end');
  });
  queue.push(async () => {
    events.push('failing');
    throw new Error('disk gone');
  });
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  queue.push(async () => {
    events.push('fast');
    done();
  });
  await finished;
  assert.deepEqual(events, ['slow start', 'slow end', 'failing', 'fast']);
  assert.equal(errors.length, 1);
  assert.match(String(errors[0]), /disk gone/);
});
