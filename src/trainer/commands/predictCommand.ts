/** `small-convnet predict <run-or-checkpoint> <image-or-folder>...`: class probabilities per image. */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { selectBackend } from '../backend/selectBackend';
import { isImageName, notClassFolder } from '../../shared/imageNames';
import { unreadImageFormat, unreadImagesSentence } from '../../shared/unreadImageFormats';
import type { PredictArgs } from '../cli/args';
import { loadCheckpoint, resolveCheckpoint } from '../train/checkpointStore';
import { classProbabilities, predictedClass } from '../train/lossAndMetrics';
import { predictAll } from '../train/predictBatches';
import { UserError } from '../util/errors';
import type { CommandContext, CommandResult } from './commandContext';
import { forEachImage } from './eachImage';

/** The image files named by the inputs: files as given, folders walked (hidden entries skipped). */
export function listImages(inputs: string[]): string[] {
  const files: string[] = [];
  /** Images of formats it does not read (HEIC, …) met in the folders: named when nothing else is there. */
  const unread: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        // Not photos of their own: a NAS's thumbnails (@eaDir), a Mac zip's metadata (__MACOSX), …
        if (notClassFolder(entry.name) === null) walk(full);
      }
      // Files and links only: a named pipe with an image name would block the decoder forever.
      else if ((entry.isFile() || entry.isSymbolicLink()) && isImageName(entry.name)) files.push(full);
      else if (unreadImageFormat(entry.name) !== null) unread.push(entry.name);
    }
  };
  for (const input of inputs.map((i) => resolve(i))) {
    let stats;
    try {
      stats = statSync(input);
    } catch {
      throw new UserError('not-found', `${input} does not exist. Pass image files or folders of images.`);
    }
    if (stats.isDirectory()) walk(input);
    else files.push(input);
  }
  if (files.length === 0) {
    const note = unreadImagesSentence(inputs.length === 1 ? 'It holds' : 'They hold', unread);
    throw new UserError('bad-data', `No images (.jpg, .png, .gif, .bmp, .webp) in ${inputs.join(', ')}.${note === '' ? '' : ` ${note}`}`);
  }
  return files;
}

export async function predictCommand(args: PredictArgs, context: CommandContext): Promise<CommandResult> {
  const target = resolve(args.checkpoint);
  resolveCheckpoint(target); // refuses a target that names no checkpoint before anything else
  const files = listImages(args.inputs);
  const backend = await selectBackend(args.backend);
  context.emit({ type: 'backend', ...backend });
  const { metadata, model } = await loadCheckpoint({ target });
  const size = metadata.imageSize;
  const result = await forEachImage({ files, size, context, each: async (file, pixels) => {
    const { outputs } = await predictAll({ model, data: { count: 1, height: size, width: size, images: pixels, labels: new Int32Array(1) }, batchSize: 1 });
    const probabilities = classProbabilities(outputs, metadata.classes.length)[0];
    const best = predictedClass(probabilities);
    context.emit({ type: 'prediction', file, classes: metadata.classes, probabilities, predicted: metadata.classes[best] });
  } });
  model.dispose();
  return result;
}
