/** `small-convnet predict <run-or-checkpoint> <image-or-folder>...`: class probabilities per image. */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { selectBackend } from '../backend/selectBackend';
import { decodeImage } from '../data/decodeImage';
import { isImageName } from '../../shared/imageNames';
import type { PredictArgs } from '../cli/args';
import { EXIT } from '../../shared/trainerErrors';
import { loadCheckpoint, resolveCheckpoint } from '../train/checkpointStore';
import { classProbabilities, predictedClass } from '../train/lossAndMetrics';
import { predictAll } from '../train/predictBatches';
import { describeError, UserError } from '../util/errors';
import type { CommandContext, CommandResult } from './commandContext';

/** The image files named by the inputs: files as given, folders walked (hidden entries skipped). */
export function listImages(inputs: string[]): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      // Files and links only: a named pipe with an image name would block the decoder forever.
      else if ((entry.isFile() || entry.isSymbolicLink()) && isImageName(entry.name)) files.push(full);
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
  if (files.length === 0) throw new UserError('bad-data', `No images (.jpg, .png, .gif, .bmp, .webp) in ${inputs.join(', ')}.`);
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
  let failures = 0;
  for (const file of files) {
    if (context.cancel.cancelled) break;
    let pixels: Uint8Array;
    try {
      pixels = await decodeImage({ file, height: size, width: size });
    } catch (error) {
      failures++;
      context.emit({ type: 'warning', message: describeError(error), file });
      continue;
    }
    const { outputs } = await predictAll({ model, data: { count: 1, height: size, width: size, images: pixels, labels: new Int32Array(1) }, batchSize: 1 });
    const probabilities = classProbabilities(outputs, metadata.classes.length)[0];
    const best = predictedClass(probabilities);
    context.emit({ type: 'prediction', file, classes: metadata.classes, probabilities, predicted: metadata.classes[best] });
  }
  model.dispose();
  if (context.cancel.cancelled) return { status: 'cancelled', exitCode: EXIT.cancelled, skippedFiles: failures };
  if (failures === files.length) return { status: 'failed', exitCode: EXIT.dataOrSetting, skippedFiles: failures };
  return { status: 'completed', exitCode: EXIT.ok, skippedFiles: failures };
}
