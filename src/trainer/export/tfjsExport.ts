/**
 * The checkpoint as a TensorFlow.js layers model for `tf.loadLayersModel`: its model.json (with the class names,
 * input size and pixel range in `userDefinedMetadata`, which tfjs keeps and returns from `model.getUserDefinedMetadata()`)
 * and its weights file, byte for byte.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODEL_FILE, WEIGHTS_FILE } from '../../shared/runFiles';
import type { ExportedModel } from './exportedModel';

export function tfjsModelFiles(options: { checkpointDir: string; model: ExportedModel }): Record<string, Uint8Array> {
  const json = JSON.parse(readFileSync(join(options.checkpointDir, MODEL_FILE), 'utf8')) as Record<string, unknown>;
  json.userDefinedMetadata = {
    classes: options.model.classes,
    imageSize: options.model.imageSize,
    input: 'float32 [batch, imageSize, imageSize, 3], RGB values 0..255 (the model rescales them)',
    output: options.model.classes.length === 2 ? `the probability of "${options.model.classes[1]}" (sigmoid)` : 'the probability of each class, in the order of classes (softmax)',
  };
  return {
    [MODEL_FILE]: Buffer.from(JSON.stringify(json), 'utf8'),
    [WEIGHTS_FILE]: readFileSync(join(options.checkpointDir, WEIGHTS_FILE)),
  };
}
