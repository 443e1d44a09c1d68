/**
 * Disk full or an output folder that cannot be written (issue 5): a clear error that names the file or folder
 * and says what to do, exit code 3 (`cannot-write`), and nothing half-written left as if it were valid.
 * A folder that cannot be written is a regular file standing where the output folder must be (ENOTDIR:
 * chmod does not stop root, and CI runs as root); a full disk is simulated inside the trainer's durable
 * writes with the test-only SMALL_CONVNET_TEST_FAULT=enospc:<file>:<n> (src/trainer/util/testFaults.ts).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { trainerLaunch } from '../../src/extension/trainer/trainerLaunch';
import { TrainerProcess } from '../../src/extension/trainer/trainerProcess';
import { HISTORY_FILE, PROGRESS_FILE } from '../../src/shared/runFiles';
import { MANIFEST_FILE } from '../../src/trainer/data/manifest';
import { TEST_FAULT_ENV } from '../../src/trainer/util/testFaults';
import { checkRunFolder, isTempFileName } from '../helpers/runFolderChecks';
import { messagesOfType, runTrainer, type TrainerRun } from '../helpers/runTrainer';
import { makeTinyDataset, tinyTrainOptions } from '../helpers/tinyData';

const REPO_ROOT = join(__dirname, '..', '..');
const WHAT_TO_DO = /choose another output folder \(--out\)\./;

function errorOf(run: TrainerRun): { code: string; message: string } {
  const error = messagesOfType(run, 'error')[0];
  assert.ok(error, `no error message; stderr:\n${run.stderr}`);
  return error;
}

function runDirOf(run: TrainerRun): string {
  const started = messagesOfType(run, 'run-started')[0];
  assert.ok(started, `no run-started; stderr:\n${run.stderr}`);
  return started.runDir;
}

/** Every hidden temporary name below `dir` (writes cut short that were not cleaned up). */
function leftovers(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => isTempFileName(file.split('/').pop() ?? ''));
}

describe('an output folder that cannot be written, or a full disk', () => {
  let root: string;
  let data: string;
  let blocker: string;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'sc-diskfull-'));
    data = await makeTinyDataset({ root });
    blocker = join(root, 'not-a-folder');
    writeFileSync(blocker, 'a file where the output folder should be\n');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('train --out below a regular file: exit 3, the message names that file and says what to do', async () => {
    const run = await runTrainer({ args: ['train', ...tinyTrainOptions({ data, out: join(blocker, 'work'), epochs: 1 }), '--json'] });
    assert.equal(run.code, 3, run.stderr);
    const error = errorOf(run);
    assert.equal(error.code, 'cannot-write');
    assert.match(error.message, new RegExp(`^Cannot write ${join(blocker, 'work', 'runs')}: ${blocker} is a file, but it stands where a folder must be \\(ENOTDIR\\)\\. Move or rename that file, or `));
    assert.match(error.message, WHAT_TO_DO);
    assert.equal(messagesOfType(run, 'done')[0]?.status, 'failed');
  });

  it('what the extension shows for it: a "failed" outcome with that message (not a crash)', async () => {
    const trainer = TrainerProcess.start({
      launch: trainerLaunch({
        runtime: { extensionPath: REPO_ROOT, hostExecPath: process.execPath, nodePath: '', hostEnv: { ...process.env }, cwd: root },
        command: 'train',
        args: tinyTrainOptions({ data, out: join(blocker, 'work'), epochs: 1 }),
      }),
      log: () => undefined,
    });
    const outcome = await trainer.finished;
    assert.equal(outcome.kind, 'failed');
    assert.match(outcome.summary, /^Cannot write .*ENOTDIR.*choose another output folder/);
  });

  it('prepare --out below a regular file: the same clear error, nothing copied', async () => {
    const run = await runTrainer({ args: ['prepare', join(root, 'source'), '--split', '5/3/2', '--out', join(blocker, 'subsets'), '--json'] });
    assert.equal(run.code, 3, run.stderr);
    assert.equal(errorOf(run).code, 'cannot-write');
    assert.match(errorOf(run).message, /is a file, but it stands where a folder must be \(ENOTDIR\)/);
  });

  it('disk full writing progress.json: training goes on and completes, one line on stderr, no temporary file', async () => {
    const run = await runTrainer({
      args: ['train', ...tinyTrainOptions({ data, out: join(root, 'full-progress'), epochs: 1 }), '--json'],
      env: { [TEST_FAULT_ENV]: `enospc:${PROGRESS_FILE}:1` },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(messagesOfType(run, 'done')[0]?.status, 'completed');
    assert.deepEqual(messagesOfType(run, 'error'), []);
    assert.equal(run.stderr.split('\n').filter((line) => line.includes(`Could not write ${PROGRESS_FILE}`)).length, 1);
    const runDir = runDirOf(run);
    assert.deepEqual(leftovers(runDir), []);
    assert.equal((await checkRunFolder(runDir)).record.status, 'completed');
  });

  it('disk full writing history.json in epoch 2: exit 3, the previous history stays, the run can be resumed later', async () => {
    const run = await runTrainer({
      args: ['train', ...tinyTrainOptions({ data, out: join(root, 'full-history'), epochs: 3 }), '--json'],
      env: { [TEST_FAULT_ENV]: `enospc:${HISTORY_FILE}:2` },
    });
    assert.equal(run.code, 3, run.stderr);
    const runDir = runDirOf(run);
    const error = errorOf(run);
    assert.equal(error.code, 'cannot-write');
    assert.equal(
      error.message,
      `Cannot write ${join(runDir, HISTORY_FILE)}: the disk that holds ${runDir} is full (ENOSPC). Free some space on it, or choose another output folder ` +
        `(--out). Training stopped; what the run saved up to its last finished epoch stays valid: ` +
        `once it can write again, continue it with \`small-convnet resume ${runDir}\`.`,
    );
    assert.deepEqual(leftovers(runDir), [], 'the half-written temporary file was removed');
    const state = await checkRunFolder(runDir);
    assert.equal(state.historyEpochs, 1, 'history.json still holds epoch 1, whole');
    assert.equal(state.record.status, 'failed');
    assert.match(state.record.message ?? '', /is full \(ENOSPC\)/);

    // Space is back: resume finishes the run.
    const resumed = await runTrainer({ args: ['resume', runDir, '--json'] });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal((await checkRunFolder(runDir)).historyEpochs, 3);
  });

  it('disk full writing a checkpoint: best.json keeps naming the previous one, which loads; no partial checkpoint is left', async () => {
    const run = await runTrainer({
      args: ['train', ...tinyTrainOptions({ data, out: join(root, 'full-checkpoint'), epochs: 3 }), '--json'],
      env: { [TEST_FAULT_ENV]: 'enospc:weights.bin:2' },
    });
    const runDir = runDirOf(run);
    const saved = messagesOfType(run, 'checkpoint-saved');
    assert.equal(saved.length, 1, 'the first checkpoint was saved, the second failed');
    assert.equal(run.code, 3, run.stderr);
    assert.match(errorOf(run).message, /^Cannot write .*\/checkpoints\/\.epoch-\d{4}\.tmp-\d+\/weights\.bin: the disk that holds .* is full \(ENOSPC\)\./);
    assert.deepEqual(leftovers(runDir), []);
    assert.deepEqual(readdirSync(join(runDir, 'checkpoints')), [`epoch-${String(saved[0].epoch).padStart(4, '0')}`]);
    const state = await checkRunFolder(runDir);
    assert.equal(state.bestEpoch, saved[0].epoch);
  });

  it('disk full writing the manifest of a prepare: no manifest, and the unfinished split is refused, not trained on', async () => {
    const out = join(root, 'full-prepare');
    const run = await runTrainer({
      args: ['prepare', join(root, 'source'), '--split', '5/3/2', '--out', out, '--json'],
      env: { [TEST_FAULT_ENV]: `enospc:${MANIFEST_FILE}` },
    });
    assert.equal(run.code, 3, run.stderr);
    assert.match(errorOf(run).message, new RegExp(`^Cannot write ${join(out, MANIFEST_FILE)}: the disk that holds ${out} is full \\(ENOSPC\\)\\.`));
    assert.equal(existsSync(join(out, MANIFEST_FILE)), false);
    assert.deepEqual(leftovers(out), []);

    const train = await runTrainer({ args: ['train', ...tinyTrainOptions({ data: out, out: join(root, 'work'), epochs: 1 }), '--json'] });
    assert.equal(train.code, 3);
    assert.match(errorOf(train).message, new RegExp(`^${out} is an unfinished split: copying the images into it stopped before the end .* Prepare it again with --replace`));
    assert.equal(existsSync(join(root, 'work', 'runs')), false, 'no run was started');

    const again = await runTrainer({ args: ['prepare', join(root, 'source'), '--split', '5/3/2', '--out', out, '--json'] });
    assert.equal(again.code, 3);
    assert.match(errorOf(again).message, /is not empty: .*unfinished prepare.* pass --replace/);
    const replaced = await runTrainer({ args: ['prepare', join(root, 'source'), '--split', '5/3/2', '--out', out, '--replace', '--json'] });
    assert.equal(replaced.code, 0, replaced.stderr);
    assert.ok(existsSync(join(out, MANIFEST_FILE)));
    assert.deepEqual(readdirSync(out).filter((name) => name.startsWith('.')), [], 'the unfinished-split marker is gone');
  });
});
