/**
 * Garbage on the protocol channel (issue 5), both ways: lines on the trainer's stdout that are not valid
 * messages are logged (shortened) and ignored by the host's process wrapper; lines on the trainer's stdin
 * that are not control messages are logged on its stderr and ignored; and a trainer that dies without its
 * `done` line settles the wrapper with a crash outcome that shows its last stderr lines, never a hang.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { outcomeNotification } from '../../src/extension/trainer/outcomeText';
import { trainerLaunch } from '../../src/extension/trainer/trainerLaunch';
import { TrainerProcess } from '../../src/extension/trainer/trainerProcess';
import { LineSplitter } from '../../src/extension/trainer/lineSplitter';
import type { TrainerMessage } from '../../src/shared/trainerProtocol';
import { makeScriptFolder, PRELUDE, type ScriptFolder } from '../extension/helpers/childScripts';
import { messagesOfType, runTrainer } from '../helpers/runTrainer';
import { makeTinyDataset, tinyTrainOptions } from '../helpers/tinyData';

const REPO_ROOT = join(__dirname, '..', '..');
const FAST = { afterCancelMs: 2_000, afterTermMs: 1_000, closeGraceMs: 300 };

let scripts: ScriptFolder;
let root: string;
let data: string;
before(async () => {
  scripts = makeScriptFolder();
  root = mkdtempSync(join(tmpdir(), 'sc-protocol-'));
  data = await makeTinyDataset({ root });
});
after(() => {
  scripts.remove();
  rmSync(root, { recursive: true, force: true });
});

function startScript(name: string, source: string) {
  const log: string[] = [];
  const messages: TrainerMessage[] = [];
  const trainer = TrainerProcess.start({ launch: scripts.script(name, PRELUDE + source), log: (line) => log.push(line), timeouts: FAST });
  trainer.onMessage((message) => messages.push(message));
  return { trainer, log, messages };
}

const EPOCH_END = { type: 'epoch-end', epoch: 1, epochs: 1, logs: { loss: 0.7, accuracy: 0.5, val_loss: 0.69, val_accuracy: 0.5 }, seconds: 1 };

describe('garbage on the trainer\'s stdout (host side)', () => {
  it('is logged, shortened, and ignored; the messages around it arrive in order', async () => {
    const { trainer, log, messages } = startScript(
      'garbage-out',
      `
hello();
process.stdout.write(Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0a]));              // invalid UTF-8 and a NUL
process.stdout.write('\\u001b[31mred text from a native library\\u001b[0m\\n');
process.stdout.write('[1,2,3]\\nnull\\n"a string"\\n{"type":"bogus"}\\n{"type":42}\\n');
process.stdout.write('{"type":"epoch-end"}\\n');                                  // a known type without its fields
process.stdout.write('{"type":"epoch-end","epoch":"1","epochs":1,"logs":{},"seconds":1}\\n');
process.stdout.write('{"type":"done","command":"train","status":"maybe","exitCode":0,"seconds":0}\\n');
process.stdout.write('{"type":"epoch-e' + 'x'.repeat(1_000_000) + '\\n');         // a cut-off, very long line
send(${JSON.stringify(EPOCH_END)});
done('completed', 0);
`,
    );
    const outcome = await trainer.finished;
    assert.equal(outcome.kind, 'completed', outcome.summary);
    assert.deepEqual(messages.map((m) => m.type), ['hello', 'epoch-end', 'done']);
    assert.deepEqual(messages[1], EPOCH_END);
    const garbage = log.filter((line) => line.startsWith('[trainer stdout] '));
    assert.equal(garbage.length, 11, garbage.join('\n'));
    assert.ok(garbage.some((line) => line.includes('"type":"done","command":"train","status":"maybe"')), 'a done with an unknown status is not the done');
    const long = garbage.find((line) => line.includes('xxxx'));
    assert.ok(long !== undefined && long.length < 600 && long.endsWith('… (1000016 characters)'), long?.slice(-60));
  });

  it('a line longer than the splitter\'s limit is cut once and its rest dropped, then lines flow again', () => {
    const splitter = new LineSplitter(10);
    assert.deepEqual(splitter.push('0123456789abc'), ['0123456789']);
    assert.deepEqual(splitter.push('def'), []);
    assert.deepEqual(splitter.push('ghi\n{"ok":1}\n'), ['{"ok":1}']);
    assert.deepEqual(splitter.end(), []);
  });

  it('a listener that throws does not stop the reading: later messages and done still arrive', async () => {
    const { trainer, log, messages } = startScript('listener-throws', `hello(); send(${JSON.stringify(EPOCH_END)}); done('completed', 0);`);
    trainer.onMessage((message) => {
      if (message.type === 'epoch-end') throw new Error('a bug in a listener');
    });
    const outcome = await trainer.finished;
    assert.equal(outcome.kind, 'completed');
    assert.equal(outcome.done?.status, 'completed');
    assert.deepEqual(messages.map((m) => m.type), ['hello', 'epoch-end', 'done']);
    assert.ok(log.includes('A handler of the trainer\'s "epoch-end" message failed: a bug in a listener'), log.join('\n'));
  });
});

describe('garbage on the trainer\'s stdin (trainer side)', () => {
  it('is logged on stderr and ignored; a real cancel after it still works', async () => {
    const garbage = ['not json', '{"type":"cancel"', '{"type":"stop"}', 'null', '[{"type":"cancel"}]', '\u0000\u00ff binary', 'x'.repeat(100_000)];
    const run = await runTrainer({
      args: ['train', ...tinyTrainOptions({ data, out: join(root, 'stdin'), epochs: 2 }), '--json'],
      onMessage: (message, child) => {
        if (message.type === 'hello') for (const line of garbage) child.send(line);
        if (message.type === 'batch-end' && message.epoch === 2 && message.batch === 1) child.send('{"type":"cancel"}');
      },
    });
    assert.equal(run.code, 130, run.stderr);
    assert.deepEqual(messagesOfType(run, 'epoch-end').map((m) => m.epoch), [1], 'the garbage did not stop the run; the cancel did, in epoch 2');
    assert.equal(messagesOfType(run, 'done')[0]?.status, 'cancelled');
    const ignored = run.stderr.split('\n').filter((line) => line.startsWith('Ignoring unknown control line on stdin: '));
    assert.equal(ignored.length, garbage.length, run.stderr);
    assert.ok(ignored.every((line) => line.length < 300), 'each is logged shortened, as a JSON string');
    assert.deepEqual(run.strayLines, [], 'stdout carried protocol messages only');
  });
});

describe('a trainer that dies without done', () => {
  it('the real trainer killed mid-epoch: the wrapper settles at once with a crash and its last stderr lines', async () => {
    const log: string[] = [];
    const trainer = TrainerProcess.start({
      launch: trainerLaunch({
        runtime: { extensionPath: REPO_ROOT, hostExecPath: process.execPath, nodePath: '', hostEnv: { ...process.env }, cwd: root },
        command: 'train',
        args: tinyTrainOptions({ data, out: join(root, 'killed'), epochs: 2 }),
      }),
      log: (line) => log.push(line),
      timeouts: FAST,
    });
    let killedAt = 0;
    trainer.onMessage((message) => {
      if (message.type === 'batch-end' && killedAt === 0 && trainer.pid !== undefined) {
        killedAt = Date.now();
        process.kill(trainer.pid, 'SIGKILL');
      }
    });
    const outcome = await trainer.finished;
    assert.ok(Date.now() - killedAt < 3_000, 'settled within the close grace period');
    assert.equal(outcome.kind, 'crashed');
    assert.equal(outcome.done, null);
    assert.ok(outcome.stderrTail.every((line) => log.includes(line)), 'the tail is what the output channel got');
    const notification = outcomeNotification(outcome, 'Training');
    assert.equal(notification.severity, 'error');
    // With --json the trainer logs nothing on stderr unless something goes wrong, so there are no lines to show here.
    assert.match(notification.text, /^Training crashed\. The trainer was killed by SIGKILL before it finished\./);
  });

  it('an uncaught exception (exit 1, stack on stderr) is a crash that shows the error', async () => {
    const { trainer } = startScript('throws', `hello(); setTimeout(() => { throw new Error('out of memory in a kernel'); }, 10);`);
    const outcome = await trainer.finished;
    assert.equal(outcome.kind, 'crashed');
    assert.equal(outcome.code, 1);
    assert.equal(outcome.stderrTail.at(-1), 'Node.js v' + process.versions.node);
    // The notification shows the error, not the stack frames and Node's footer that end stderr.
    assert.match(outcomeNotification(outcome, 'Training').text, /Last log lines: .*⏎ Error: out of memory in a kernel$/);
  });

  it('a child that closes stdout and stderr, then exits later without done: settles when it exits', async () => {
    const { trainer, messages } = startScript(
      'closes-stdio',
      `hello(); process.stdout.end(); process.stderr.end(); process.stdin.resume(); setTimeout(() => process.exit(7), 300);`,
    );
    const started = Date.now();
    const outcome = await trainer.finished;
    assert.ok(Date.now() - started < 3_000);
    assert.deepEqual(messages.map((m) => m.type), ['hello']);
    assert.equal(outcome.kind, 'crashed');
    assert.equal(outcome.code, 7);
    assert.match(outcome.summary, /exited with code 7 before it finished/);
  });

  it('a child that never answers cancel and ignores SIGTERM is killed; stop() never hangs', async () => {
    const { trainer } = startScript('deaf', `process.on('SIGTERM', () => {}); hello(); process.stdin.resume(); setInterval(() => {}, 1000);`);
    await new Promise<void>((resolve) => trainer.onMessage(() => resolve()));
    const outcome = await trainer.stop();
    assert.equal(outcome.signal, 'SIGKILL');
    assert.equal(outcome.kind, 'cancelled');
  });
});
