/**
 * The trainer process wrapper against REAL child processes: small Node scripts that behave, ignore cancel,
 * ignore SIGTERM, crash mid-stream, print garbage, die without `done`, or keep stdout open after exiting.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { TrainerMessage } from '../../src/shared/trainerProtocol';
import { TrainerProcess } from '../../src/extension/trainer/trainerProcess';
import { makeScriptFolder, PRELUDE, type ScriptFolder } from './helpers/childScripts';

let scripts: ScriptFolder;
before(() => {
  scripts = makeScriptFolder();
});
after(() => scripts.remove());

const FAST = { afterCancelMs: 400, afterTermMs: 400, closeGraceMs: 300 };

function start(name: string, source: string, timeouts = FAST) {
  const log: string[] = [];
  const messages: TrainerMessage[] = [];
  const process = TrainerProcess.start({ launch: scripts.script(name, PRELUDE + source), log: (line) => log.push(line), timeouts });
  process.onMessage((message) => messages.push(message));
  return { process, log, messages };
}

test('a well-behaved run: messages in order (one written in pieces), garbage and stderr logged, completed', async () => {
  const { process, log, messages } = start(
    'ok',
    `
hello();
process.stdout.write('{"type":"warning","mes');
setTimeout(() => {
  process.stdout.write('sage":"split across writes"}\\nnot json at all\\n');
  console.error('a log line on stderr');
  done('completed', 0);
}, 50);
`,
  );
  const outcome = await process.finished;
  assert.equal(outcome.kind, 'completed');
  assert.equal(outcome.code, 0);
  assert.deepEqual(messages.map((m) => m.type), ['hello', 'warning', 'done']);
  assert.equal(messages[1].type === 'warning' && messages[1].message, 'split across writes');
  assert.ok(log.includes('[trainer stdout] not json at all'), log.join('\n'));
  assert.ok(log.includes('a log line on stderr'));
  assert.equal(process.isRunning, false);
});

test('stop() sends {"type":"cancel"}; a trainer that honours it ends cancelled without signals', async () => {
  const { process, messages } = start(
    'honours-cancel',
    `
hello();
const timer = setInterval(() => send({ type: 'batch-end', epoch: 1, batch: 1, batches: 9, loss: 0.7, accuracy: 0.5, msPerStep: 1 }), 20);
onCancel(() => { clearInterval(timer); done('cancelled', 130); process.exit(130); });
`,
  );
  await new Promise<void>((resolve) => process.onMessage((m) => m.type === 'batch-end' && resolve()));
  const started = Date.now();
  const outcome = await process.stop();
  assert.equal(outcome.kind, 'cancelled');
  assert.equal(outcome.code, 130);
  assert.equal(outcome.stopEscalation, 'cancel');
  assert.ok(Date.now() - started < FAST.afterCancelMs, 'no escalation was needed');
  assert.equal(messages.at(-1)?.type, 'done');
});

test('a trainer that ignores cancel gets SIGTERM after the cancel timeout', async () => {
  const { process } = start('ignores-cancel', `hello(); process.stdin.resume(); setInterval(() => {}, 1000);`);
  await new Promise<void>((resolve) => process.onMessage(() => resolve()));
  const outcome = await process.stop();
  assert.equal(outcome.kind, 'cancelled');
  assert.equal(outcome.signal, 'SIGTERM');
  assert.equal(outcome.stopEscalation, 'SIGTERM');
  assert.match(outcome.summary, /SIGTERM/);
});

test('a trainer that also ignores SIGTERM gets SIGKILL', async () => {
  const { process } = start('ignores-sigterm', `process.on('SIGTERM', () => console.error('ignoring SIGTERM')); hello(); process.stdin.resume(); setInterval(() => {}, 1000);`);
  await new Promise<void>((resolve) => process.onMessage(() => resolve()));
  const started = Date.now();
  const outcome = await process.stop();
  assert.equal(outcome.signal, 'SIGKILL');
  assert.equal(outcome.stopEscalation, 'SIGKILL');
  assert.equal(outcome.kind, 'cancelled');
  assert.ok(Date.now() - started >= FAST.afterCancelMs + FAST.afterTermMs - 50);
  assert.ok(outcome.stderrTail.includes('ignoring SIGTERM'));
});

test('stop() is idempotent and resolves at once for a process that already ended', async () => {
  const { process } = start('quick', `hello(); done('completed', 0);`);
  const first = await process.finished;
  const again = await Promise.all([process.stop(), process.stop()]);
  assert.equal(again[0], first);
  assert.equal(again[1], first);
  assert.equal(first.stopEscalation, null);
});

test('a crash mid-stream (exit 1, no done) is a crash with the last 50 stderr lines', async () => {
  const { process, messages } = start(
    'crash',
    `
hello();
send({ type: 'batch-end', epoch: 1, batch: 1, batches: 9, loss: 0.7, accuracy: 0.5, msPerStep: 1 });
for (let i = 1; i <= 60; i++) console.error('stderr line ' + i);
process.stdout.write('{"type":"epoch-e'); // cut off mid-line
setTimeout(() => process.exit(1), 20);
`,
  );
  const outcome = await process.finished;
  assert.equal(outcome.kind, 'crashed');
  assert.equal(outcome.code, 1);
  assert.equal(outcome.done, null);
  assert.equal(outcome.stderrTail.length, 50);
  assert.equal(outcome.stderrTail[0], 'stderr line 11');
  assert.equal(outcome.stderrTail.at(-1), 'stderr line 60');
  assert.deepEqual(messages.map((m) => m.type), ['hello', 'batch-end']);
  assert.match(outcome.summary, /exited with code 1 before it finished/);
});

test('dying with code 0 but without done is a crash too', async () => {
  const { process } = start('no-done', `hello(); console.error('bye');`);
  const outcome = await process.finished;
  assert.equal(outcome.kind, 'crashed');
  assert.equal(outcome.code, 0);
});

test('killed from outside (SIGKILL, nobody asked it to stop) is a crash', async () => {
  const { process } = start('killed', `hello(); process.stdin.resume(); setTimeout(() => process.kill(process.pid, 'SIGKILL'), 30);`);
  const outcome = await process.finished;
  assert.equal(outcome.kind, 'crashed');
  assert.equal(outcome.signal, 'SIGKILL');
  assert.match(outcome.summary, /killed by SIGKILL/);
});

test('a user error (error + done failed, exit 3) is "failed" with the trainer\'s message, and the log says it (Show Log)', async () => {
  const { process, log } = start(
    'user-error',
    `hello(); send({ type: 'warning', message: 'Skipped a file.', file: '/d/x.jpg' }); send({ type: 'error', code: 'too-few-images', message: 'Class "cat" has 12 images.' }); done('failed', 3); process.exitCode = 3;`,
  );
  const outcome = await process.finished;
  assert.equal(outcome.kind, 'failed');
  assert.equal(outcome.summary, 'Class "cat" has 12 images.');
  assert.ok(log.includes('[trainer warning] Skipped a file. (/d/x.jpg)'), log.join('\n'));
  assert.ok(log.includes('[trainer error: too-few-images] Class "cat" has 12 images.'), log.join('\n'));
  assert.equal(log.at(-1), '[train failed, exit code 3] Class "cat" has 12 images.', 'the job\'s last log line: how it ended');
});

test('an internal error (exit 1 with done failed) is a crash, naming the error', async () => {
  const { process } = start('internal', `hello(); send({ type: 'error', code: 'internal', message: 'boom' }); done('failed', 1); process.exitCode = 1;`);
  const outcome = await process.finished;
  assert.equal(outcome.kind, 'crashed');
  assert.match(outcome.summary, /boom/);
});

test('an executable that does not exist: crashed with the spawn error, finished settles', async () => {
  const process = TrainerProcess.start({
    launch: { executable: join(scripts.dir, 'no-such-node'), args: [], env: {}, cwd: scripts.dir },
    log: () => undefined,
    timeouts: FAST,
  });
  const outcome = await process.finished;
  assert.equal(outcome.kind, 'crashed');
  assert.match(outcome.spawnError ?? '', /ENOENT/);
  assert.equal((await process.stop()).kind, 'crashed');
});

test('a child that exits while a grandchild keeps its stdout open: finished still settles', async () => {
  const pidFile = join(scripts.dir, 'grandchild.pid');
  const { process } = start(
    'grandchild',
    `
const { spawn } = require('node:child_process');
const grandchild = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: ['ignore', 'inherit', 'inherit'], detached: true });
require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(grandchild.pid));
grandchild.unref();
hello();
done('completed', 0);
`,
  );
  try {
    const started = Date.now();
    const outcome = await process.finished;
    assert.equal(outcome.kind, 'completed');
    assert.ok(Date.now() - started < 5000);
  } finally {
    try {
      globalThis.process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

test('dispose() stops a running child', async () => {
  const { process } = start('dispose', `hello(); onCancel(() => { done('cancelled', 130); process.exit(130); });`);
  await new Promise<void>((resolve) => process.onMessage(() => resolve()));
  process.dispose();
  const outcome = await process.finished;
  assert.equal(outcome.kind, 'cancelled');
});
