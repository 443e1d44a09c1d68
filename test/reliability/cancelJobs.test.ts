/**
 * Cancelling the short jobs (the extension's progress notifications have a Cancel button). `prepare`: the
 * copy stops between two files, the trainer exits as cancelled (130, `done` cancelled), the half-copied
 * folder has no manifest so it is never taken as prepared, the source is untouched, and the next prepare
 * replaces it and completes. `evaluate`: stops while decoding or predicting, writes no evaluation.json.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { messagesOfType, runTrainer } from '../helpers/runTrainer';

const PER_CLASS = 1500;

describe('cancel prepare and evaluate (child processes)', () => {
  let root: string;
  let source: string;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'sc-cancel-prepare-'));
    source = join(root, 'source');
    mkdirSync(source);
    const png = join(root, 'one.png');
    writeFileSync(png, await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 90, g: 120, b: 30 } } }).png().toBuffer());
    for (let n = 1; n <= PER_CLASS; n++) {
      copyFileSync(png, join(source, `cat.${n}.png`));
      copyFileSync(png, join(source, `dog.${n}.png`));
    }
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('stops between files, exits 130, leaves no manifest; the next prepare replaces the partial copy', async () => {
    const out = join(root, 'subsets');
    let sent = false;
    const run = await runTrainer({
      args: ['prepare', source, '--split', `${PER_CLASS - 100}/50/50`, '--out', out, '--json'],
      onMessage: (message, child) => {
        if (!sent && message.type === 'prepare-progress') {
          sent = true;
          child.send('{"type":"cancel"}');
        }
      },
    });
    assert.equal(run.code, 130, run.stderr);
    const done = messagesOfType(run, 'done')[0];
    assert.equal(done.status, 'cancelled');
    assert.equal(messagesOfType(run, 'error').length, 0, 'a cancel is not an error');
    assert.equal(messagesOfType(run, 'prepared').length, 0);
    assert.equal(existsSync(join(out, 'small-convnet-manifest.json')), false, 'no manifest: never mistaken for prepared subsets');
    const copied = ['train', 'validation', 'test'].flatMap((s) => ['cat', 'dog'].flatMap((c) => (existsSync(join(out, s, c)) ? readdirSync(join(out, s, c)) : [])));
    assert.ok(copied.length < 2 * PER_CLASS, `the copy stopped early (${copied.length} files)`);
    assert.equal(readdirSync(source).length, 2 * PER_CLASS, 'the source is untouched');

    const again = await runTrainer({ args: ['prepare', source, '--split', `${PER_CLASS - 100}/50/50`, '--out', out, '--replace', '--json'] });
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(messagesOfType(again, 'prepared')[0].counts, { train: 2 * (PER_CLASS - 100), validation: 100, test: 100 });
  });

  it('evaluate stops on cancel: exit 130, no evaluation, no evaluation.json', async () => {
    const data = join(root, 'big-test');
    const prepared = await runTrainer({ args: ['prepare', source, '--split', `10/10/${PER_CLASS - 20}`, '--out', data, '--json'] });
    assert.equal(prepared.code, 0, prepared.stderr);
    const trained = await runTrainer({ args: ['train', data, '--epochs', '1', '--image-size', '78', '--batch-size', '10', '--workers', '1', '--out', join(root, 'work'), '--json'] });
    assert.equal(trained.code, 0, trained.stderr);
    const runDir = messagesOfType(trained, 'done')[0].runDir!;
    let sent = false;
    const run = await runTrainer({
      args: ['evaluate', runDir, '--json'],
      onMessage: (message, child) => {
        if (!sent && message.type === 'backend') {
          sent = true;
          child.send('{"type":"cancel"}');
        }
      },
    });
    assert.equal(run.code, 130, run.stderr);
    assert.equal(messagesOfType(run, 'done')[0].status, 'cancelled');
    assert.equal(messagesOfType(run, 'evaluation').length, 0);
    assert.equal(messagesOfType(run, 'error').length, 0);
    assert.equal(existsSync(join(runDir, 'evaluation.json')), false);
  });
});
