/** `small-convnet preview <image>`: N augmented versions of one image as PNGs, plus the seed's 3x3 grid. */
import { basename, extname, resolve } from 'node:path';
import { SEED_AUGMENTATION } from '../data/augmentation';
import { writeAugmentationPreview } from '../data/augmentationPreview';
import { decodeImage } from '../data/decodeImage';
import { DEFAULT_WORK_DIR, type PreviewArgs } from '../cli/args';
import { EXIT } from '../../shared/trainerErrors';
import type { CommandContext, CommandResult } from './commandContext';

export async function previewCommand(args: PreviewArgs, context: CommandContext): Promise<CommandResult> {
  const source = resolve(args.image);
  const image = await decodeImage({ file: source, height: args.imageSize, width: args.imageSize });
  const outDir = resolve(args.out ?? DEFAULT_WORK_DIR, 'preview', basename(source, extname(source)));
  const result = await writeAugmentationPreview({
    image,
    height: args.imageSize,
    width: args.imageSize,
    count: args.count,
    config: SEED_AUGMENTATION,
    seed: args.seed,
    outDir,
    grid: true,
  });
  context.emit({ type: 'augmentation-preview', source, files: result.files, gridFile: result.gridFile ?? null });
  return { status: 'completed', exitCode: EXIT.ok, runDir: outDir };
}
