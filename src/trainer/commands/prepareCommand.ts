/** `small-convnet prepare <source>`: copy train/validation/test subsets like the seed's make_subset. */
import { resolve } from 'node:path';
import { parseSplit, SEED_SPLIT } from '../data/splitPlan';
import { DEFAULT_WORK_DIR, type PrepareArgs } from '../cli/args';
import { EXIT } from '../../shared/trainerErrors';
import type { CommandContext, CommandResult } from './commandContext';
import { defaultSubsetsFolder } from '../../shared/node/subsetsFolder';
import { prepareWithProgress } from './resolveTrainingData';

export async function prepareCommand(args: PrepareArgs, context: CommandContext): Promise<CommandResult> {
  const source = resolve(args.source);
  const counts = args.split ? parseSplit(args.split) : { ...SEED_SPLIT };
  const out = args.out !== undefined ? resolve(args.out) : defaultSubsetsFolder({ workFolder: DEFAULT_WORK_DIR, source, counts });
  const result = await prepareWithProgress({ context, source, out, counts, replace: args.replace });
  return { status: 'completed', exitCode: EXIT.ok, runDir: result.outDir, skippedFiles: result.skipped.length };
}
