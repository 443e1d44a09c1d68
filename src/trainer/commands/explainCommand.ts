/**
 * `small-convnet explain <run-or-checkpoint> <image-or-folder>... [--class NAME] [--out DIR]`: for each image, the
 * best checkpoint's prediction and a Grad-CAM heatmap of its last convolution layer (explain/gradCam.ts), written as
 * the image with the heatmap blended in (<run>/explanations/<image>-gradcam.png) and sent as numbers for the panel.
 * All images in one call: the model is loaded once.
 */
import { basename, extname, join, resolve } from 'node:path';
import { selectBackend } from '../backend/selectBackend';
import type { ExplainArgs } from '../cli/args';
import { gradCam } from '../explain/gradCam';
import { overlay, pngBytes } from '../explain/heatmapImage';
import { loadCheckpoint, resolveCheckpoint } from '../train/checkpointStore';
import { writeFileAtomic } from '../util/atomicWrite';
import { UserError } from '../util/errors';
import { makeDirectory } from '../util/makeDirectory';
import type { CommandContext, CommandResult } from './commandContext';
import { forEachImage } from './eachImage';
import { listImages } from './predictCommand';
import { outputFolderOf } from './outputFolder';

export async function explainCommand(args: ExplainArgs, context: CommandContext): Promise<CommandResult> {
  const target = resolve(args.checkpoint);
  const resolved = resolveCheckpoint(target);
  const files = listImages(args.inputs);
  const classIndex = args.className === undefined ? undefined : resolved.metadata.classes.indexOf(args.className);
  if (classIndex === -1) {
    throw new UserError('bad-setting', `--class ${args.className} is not one of the model's classes: ${resolved.metadata.classes.join(', ')}.`);
  }
  const outDir = outputFolderOf({ out: args.out, checkpointDir: resolved.dir, folder: 'explanations' });
  makeDirectory(outDir);
  const backend = await selectBackend(args.backend);
  context.emit({ type: 'backend', ...backend });
  const { metadata, model } = await loadCheckpoint({ target });
  const size = metadata.imageSize;
  const outcome = await forEachImage({ files, size, context, each: async (file, pixels) => {
    const result = gradCam({ model, pixels, size, classIndex });
    const overlayFile = join(outDir, `${basename(file, extname(file))}-gradcam.png`);
    writeFileAtomic(overlayFile, await pngBytes({ rgb: overlay({ pixels, size, heatmap: result.heatmap }), width: size, height: size }));
    context.emit({
      type: 'explanation',
      file,
      classes: metadata.classes,
      probabilities: result.probabilities,
      predicted: metadata.classes[result.predictedClass],
      explained: metadata.classes[result.explainedClass],
      heatmap: result.heatmap,
      overlayFile,
    });
  } });
  model.dispose();
  return outcome;
}
