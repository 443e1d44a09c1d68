/** Real trainer runs for the extension tests: tiny prepared subsets, a run started through TrainingRuns, its folder awaited. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { TrainSettings } from '../../../src/shared/recipes';
import { readRunFolder, type RunOnDisk } from '../../../src/extension/runs/runStore';
import type { TrainingRun } from '../../../src/extension/session/trainingRun';
import type { TrainingRuns } from '../../../src/extension/session/trainingRuns';
import { messagesOfType, runTrainerJob } from '../../../src/extension/trainer/runTrainerJob';
import { prepareArgs, trainArgs, type SplitCounts } from '../../../src/extension/trainer/trainerArgs';
import { generateDemoSource } from '../../../src/trainer/data/demoData';
import { until } from '../../helpers/until';
import { realTrainerLauncher } from './realTrainer';

/** Demo images generated in `<root>/source`, prepared by the real trainer into `out`; resolves to the prepared folder. */
export async function prepareDemoSubsets(options: { root: string; out: string; perClass: number; seed: number; split: SplitCounts }): Promise<string> {
  const source = join(options.root, 'source');
  await generateDemoSource({ dir: source, perClass: options.perClass, size: 80, seed: options.seed });
  const prepared = await runTrainerJob({ launcher: realTrainerLauncher(), command: 'prepare', args: prepareArgs({ source, out: options.out, split: options.split, replace: false }) });
  assert.equal(prepared.outcome.kind, 'completed', prepared.outcome.summary);
  return messagesOfType(prepared.messages, 'prepared')[0].outDir;
}

/** Starts a training run through `runs` (a "window") and resolves after its first finished epoch. */
export async function startRunToEpoch1(options: { runs: TrainingRuns; dataDir: string; workFolder: string; settings: TrainSettings }): Promise<TrainingRun> {
  const { runs, dataDir, workFolder, settings } = options;
  const run = runs.start({ command: 'train', args: trainArgs({ data: dataDir, workFolder, settings: { ...settings }, backend: 'auto', workers: 1 }), settings: { ...settings }, dataLabel: 'tiny' });
  await new Promise<void>((resolve) => run.onEvent(({ message }) => message.type === 'epoch-end' && resolve()));
  return run;
}

/** The run folder once `accept` holds for what it says (polled). */
export async function runFolderWhen(runDir: string, accept: (run: RunOnDisk) => boolean): Promise<RunOnDisk> {
  return until(`run folder ${runDir} to change`, async () => {
    const run = await readRunFolder(runDir);
    return run !== null && accept(run) ? run : undefined;
  });
}
