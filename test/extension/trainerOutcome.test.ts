import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DoneMessage, ErrorMessage } from '../../src/shared/trainerProtocol';
import { classifyTrainerExit, type TrainerExit } from '../../src/extension/trainer/trainerOutcome';
import { outcomeNotification } from '../../src/extension/trainer/outcomeText';

const done = (status: DoneMessage['status'], exitCode: number): DoneMessage => ({ type: 'done', command: 'train', status, exitCode, seconds: 1 });
const error = (code: ErrorMessage['code'], message: string): ErrorMessage => ({ type: 'error', code, message });
const exit = (partial: Partial<TrainerExit>): TrainerExit => ({
  code: 0,
  signal: null,
  done: null,
  error: null,
  spawnError: null,
  stopEscalation: null,
  stderrTail: [],
  ...partial,
});

test('exit classification', () => {
  const cases: [Partial<TrainerExit>, string][] = [
    [{ done: done('completed', 0) }, 'completed'],
    [{ code: 130, done: done('cancelled', 130) }, 'cancelled'],
    [{ code: 3, done: done('failed', 3), error: error('bad-data', 'x') }, 'failed'],
    [{ code: 5, done: done('failed', 5), error: error('diverged', 'NaN') }, 'failed'],
    [{ code: 1, done: done('failed', 1), error: error('internal', 'bug') }, 'crashed'],
    [{ code: 0 }, 'crashed'],
    [{ code: 1 }, 'crashed'],
    [{ code: 130 }, 'crashed'],
    [{ code: null, signal: 'SIGSEGV' }, 'crashed'],
    [{ code: null, signal: 'SIGTERM', stopEscalation: 'SIGTERM' }, 'cancelled'],
    [{ code: 143, stopEscalation: 'SIGTERM' }, 'cancelled'],
    [{ code: null, signal: 'SIGKILL', stopEscalation: 'SIGKILL' }, 'cancelled'],
    [{ code: 2, done: done('completed', 0) }, 'crashed'],
    [{ code: null, spawnError: 'ENOENT' }, 'crashed'],
  ];
  for (const [partial, kind] of cases) assert.equal(classifyTrainerExit(exit(partial)).kind, kind, JSON.stringify(partial));
});

test('notifications: nothing for success, the message for a failure, stderr lines for a crash', () => {
  assert.equal(outcomeNotification(classifyTrainerExit(exit({ done: done('completed', 0) })), 'Training').severity, 'none');
  const failed = outcomeNotification(classifyTrainerExit(exit({ code: 3, done: done('failed', 3), error: error('too-few-images', 'Class "dog" has 3 images.') })), 'Training');
  assert.deepEqual(failed, { severity: 'error', text: 'Training failed: Class "dog" has 3 images.' });
  const crashed = outcomeNotification(classifyTrainerExit(exit({ code: 1, stderrTail: ['a', '', 'b', 'c', 'Error: out of memory', ''] })), 'Training');
  assert.equal(crashed.severity, 'error');
  assert.match(crashed.text, /^Training crashed\. The trainer exited with code 1 before it finished\. Last log lines: b ⏎ c ⏎ Error: out of memory$/);
});
