/** `small-convnet evaluate <run-or-checkpoint>`: the checkpoint on the test subset (Keras' model.evaluate, and more). */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { EVALUATION_FILE, RUN_FILE } from '../../shared/runFiles';
import type { EvaluationMessage } from '../../shared/trainerProtocol';
import { selectBackend } from '../backend/selectBackend';
import { loadImageFolder } from '../data/imageFolder';
import type { EvaluateArgs } from '../cli/args';
import { EXIT } from '../../shared/trainerErrors';
import { loadCheckpoint, resolveCheckpoint } from '../train/checkpointStore';
import { evaluationFigures } from '../train/evaluationReport';
import { predictAll } from '../train/predictBatches';
import { readRunRecord } from '../train/runFolder';
import { writeJsonAtomic } from '../util/atomicWrite';
import { UserError } from '../util/errors';
import type { CommandContext, CommandResult } from './commandContext';
import { emitSkippedWarnings } from './skippedWarnings';

/** The run folder that holds a checkpoint folder (<run>/checkpoints/epoch-NNNN), if it is one. */
function runDirOf(checkpointDir: string): string | null {
  const runDir = dirname(dirname(checkpointDir));
  return existsSync(join(runDir, RUN_FILE)) ? runDir : null;
}

function testDirFor(options: { data: string | undefined; runDir: string | null }): string {
  if (options.data !== undefined) {
    const data = resolve(options.data);
    return existsSync(join(data, 'test')) ? join(data, 'test') : data;
  }
  if (options.runDir === null) {
    throw new UserError('bad-argument', 'This checkpoint is not inside a run folder, so its test subset is unknown: pass --data <folder with test/ or class sub-folders>.');
  }
  const dir = join(readRunRecord(options.runDir).dataDir, 'test');
  if (!existsSync(dir)) {
    throw new UserError('not-found', `The run's test subset ${dir} does not exist (moved or deleted?). Pass --data <folder> to evaluate on another folder.`);
  }
  return dir;
}

export async function evaluateCommand(args: EvaluateArgs, context: CommandContext): Promise<CommandResult> {
  const target = resolve(args.checkpoint);
  const { dir: firstDir } = resolveCheckpoint(target);
  const runDir = runDirOf(firstDir);
  const testDir = testDirFor({ data: args.data, runDir });
  const backend = await selectBackend(args.backend);
  context.emit({ type: 'backend', ...backend });
  const { dir: checkpointDir, metadata, model } = await loadCheckpoint({ target });
  const started = performance.now();
  const test = await loadImageFolder({ dir: testDir, height: metadata.imageSize, width: metadata.imageSize, signal: context.cancel.signal });
  context.emit({ type: 'dataset-loaded', subset: 'test', dir: testDir, count: test.count, classes: test.classNames, skipped: test.skipped, seconds: (performance.now() - started) / 1000 });
  emitSkippedWarnings({ context, skipped: test.skipped, where: testDir });
  if (test.classNames.join('\n') !== metadata.classes.join('\n')) {
    throw new UserError(
      'bad-data',
      `${testDir} has the classes ${test.classNames.join(', ')} but the checkpoint was trained on ${metadata.classes.join(', ')}. Evaluate on a folder with the same class sub-folders.`,
    );
  }
  const { outputs } = await predictAll({ model, data: test, batchSize: metadata.settings.batchSize, signal: context.cancel.signal });
  model.dispose();
  const figures = evaluationFigures({ outputs, labels: test.labels, classes: metadata.classes, files: test.files });
  const message: EvaluationMessage = {
    type: 'evaluation',
    checkpointDir,
    dataDir: testDir,
    classes: metadata.classes,
    count: test.count,
    ...figures,
    skipped: test.skipped,
  };
  if (runDir !== null) writeJsonAtomic(join(runDir, EVALUATION_FILE), { ...message, epoch: metadata.epoch, evaluatedAt: new Date().toISOString() });
  context.emit(message);
  return { status: 'completed', exitCode: EXIT.ok, runDir: runDir ?? undefined, bestCheckpointDir: checkpointDir, skippedFiles: test.skipped.length };
}
