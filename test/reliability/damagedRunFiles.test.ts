/**
 * Issue 15, items 8 and 9: run files damaged by hand or by a crash (truncated, empty, `null`, `[]`, settings edited to
 * values no run can have) are refused with a message that names the file, says what is wrong and what to do:
 * exit 3 and an `error` of code bad-data, never an internal error; the run folder is left as it was (no lock,
 * run.json not rewritten). The shapes are the ones declared in src/shared/runFiles.ts.
 */
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HISTORY_FILE, LOCK_FILE, RUN_FILE } from '../../src/shared/runFiles';
import { generateDemoSource } from '../../src/trainer/data/demoData';
import { messagesOfType, runTrainer, type TrainerRun } from '../helpers/runTrainer';

function refusal(run: TrainerRun): string {
  assert.equal(run.code, 3, `exit ${run.code}; stderr:\n${run.stderr}`);
  const [error] = messagesOfType(run, 'error');
  assert.ok(error, 'an error message on stdout');
  assert.equal(error.code, 'bad-data');
  assert.doesNotMatch(run.stderr, /^\s+at .*\.js:\d+/m, 'no stack trace of the trainer');
  assert.doesNotMatch(error.message, /internal/i);
  assert.equal(messagesOfType(run, 'dataset-loaded').length, 0, 'refused before decoding any image');
  assert.equal(messagesOfType(run, 'run-started').length, 0, 'nothing trained');
  return error.message;
}

describe('damaged run files: named, with what to do (child processes)', () => {
  let root: string;
  let trained: string;
  let copies = 0;

  /** A copy of the trained run folder with `file` replaced by `content` (the original stays intact). */
  const damaged = (file: string, content: string | ((text: string) => string)): string => {
    const dir = join(root, `copy-${++copies}`);
    cpSync(trained, dir, { recursive: true });
    const target = join(dir, file);
    writeFileSync(target, typeof content === 'string' ? content : content(readFileSync(target, 'utf8')));
    return dir;
  };
  const withSettings = (edit: Record<string, unknown>) => (text: string) => {
    const record = JSON.parse(text) as { settings: Record<string, unknown> };
    return JSON.stringify({ ...record, settings: { ...record.settings, ...edit } });
  };
  const resume = (dir: string) => runTrainer({ args: ['resume', dir, '--epochs', '2', '--workers', '1', '--json'] });
  const assertUntouched = (dir: string, runJson: string) => {
    assert.ok(!existsSync(join(dir, LOCK_FILE)), 'no trainer.lock left behind');
    assert.equal(readFileSync(join(dir, RUN_FILE), 'utf8'), runJson, 'run.json was not rewritten');
  };

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'sc-damaged-'));
    const source = join(root, 'source');
    await generateDemoSource({ dir: source, perClass: 8, size: 78, seed: 3 });
    const prepared = await runTrainer({ args: ['prepare', source, '--split', '4/2/2', '--out', join(root, 'data'), '--json'] });
    assert.equal(prepared.code, 0, prepared.stderr);
    const run = await runTrainer({ args: ['train', join(root, 'data'), '--epochs', '1', '--image-size', '78', '--batch-size', '4', '--workers', '1', '--out', join(root, 'work'), '--json'] });
    assert.equal(run.code, 0, run.stderr);
    trained = messagesOfType(run, 'run-started')[0].runDir;
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const historyCases: [string, string, RegExp][] = [
    ['truncated', '{"version":1,"history":{"loss":[0.69', /history\.json is not valid JSON \(.*\): it was cut short or edited by hand\. Its finished epochs are unknown, so it cannot be resumed; start a new one\.$/],
    ['empty', '', /history\.json is empty \(a write cut short, or emptied by hand\)\. Its finished epochs are unknown/],
    ['null', 'null', /history\.json is damaged: the value: expected an object, got null\. Its finished epochs are unknown/],
    ['[]', '[]', /history\.json is damaged: the value: expected an object, got a list\./],
    ['an epoch without its loss', '{"version":1,"history":{"loss":[],"accuracy":[],"val_loss":[],"val_accuracy":[]},"epochs":[{"epoch":1,"seconds":2}]}', /history\.json is damaged: epochs\[0\]\.loss: expected a number \(or null for NaN\), got nothing\./],
  ];
  for (const [what, content, expected] of historyCases) {
    it(`history.json ${what}: resume refuses, naming history.json`, async () => {
      const dir = damaged(HISTORY_FILE, content);
      const runJson = readFileSync(join(dir, RUN_FILE), 'utf8');
      const message = refusal(await resume(dir));
      assert.ok(message.startsWith(join(dir, HISTORY_FILE)), message);
      assert.match(message, expected);
      assertUntouched(dir, runJson);
    });
  }

  const settingsCases: [string, Record<string, unknown>, string][] = [
    ['batchSize 0', { batchSize: 0 }, 'settings.batchSize: expected a whole number from 1 to 4096, got 0'],
    ['learningRate "abc"', { learningRate: 'abc' }, 'settings.learningRate: expected a number from 1e-8 to 10, got "abc"'],
    ['recipe "evil"', { recipe: 'evil' }, 'settings.recipe: expected one of "scratch", "augmented", got "evil"'],
  ];
  for (const [what, edit, problem] of settingsCases) {
    it(`run.json with ${what}: resume refuses, naming run.json and the setting`, async () => {
      const dir = damaged(RUN_FILE, withSettings(edit));
      const runJson = readFileSync(join(dir, RUN_FILE), 'utf8');
      assert.equal(refusal(await resume(dir)), `${join(dir, RUN_FILE)} is damaged: ${problem}. This run cannot be resumed; start a new one.`);
      assertUntouched(dir, runJson);
    });
  }

  it('run.json truncated: evaluate refuses with the file named (no stack trace), and so does resume', async () => {
    const dir = damaged(RUN_FILE, (text) => text.slice(0, text.length / 2));
    const evaluated = refusal(await runTrainer({ args: ['evaluate', dir, '--workers', '1', '--json'] }));
    assert.match(evaluated, new RegExp(`^${join(dir, RUN_FILE).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not valid JSON \\(.*\\): it was cut short or edited by hand\\. Delete the run folder and train again\\.$`));
    assert.match(refusal(await resume(dir)), /run\.json is not valid JSON .* This run cannot be resumed; start a new one\.$/);
  });

  it('item 8: a prepared training image deleted or added since the run started: resume refuses, naming it; put back, resume trains', async () => {
    const record = JSON.parse(readFileSync(join(trained, RUN_FILE), 'utf8')) as { dataDir: string };
    const classDir = join(record.dataDir, 'train', readdirSync(join(record.dataDir, 'train')).sort()[0]);
    const image = readdirSync(classDir).sort()[0];
    const kept = join(root, 'kept-image');
    renameSync(join(classDir, image), kept);
    const dir = damaged(HISTORY_FILE, (text) => text);
    const gone = refusal(await resume(dir));
    assert.match(gone, new RegExp(`changed since \\S+ started: 1 file missing \\(train/[^/]+/${image.replace(/\./g, '\\.')}\\)\\. Resuming would train on other images than its first 1 epoch: put the files back, or start a new run\\.$`));
    copyFileSync(kept, join(classDir, `extra-${image}`));
    assert.match(refusal(await resume(dir)), new RegExp(`1 file missing \\(train/[^)]+\\), 1 file not in its manifest \\(train/[^/]+/extra-${image.replace(/\./g, '\\.')}\\)`));
    rmSync(join(classDir, `extra-${image}`));
    renameSync(kept, join(classDir, image));
    const resumed = await resume(dir);
    assert.equal(resumed.code, 0, resumed.stderr);
  });
});
