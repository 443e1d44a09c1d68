/** Keras-style `model.summary()` as data: one row per layer, output shapes without the batch axis. */
import type * as tfl from '@tensorflow/tfjs-layers';
import { RECIPES, type RecipeId } from '../../shared/recipes';
import type { LayerSummary, ModelSummaryMessage } from '../../shared/trainerProtocol';

export function summarizeModel(options: { model: tfl.LayersModel; recipe: RecipeId; imageSize: number }): ModelSummaryMessage {
  const { model, recipe, imageSize } = options;
  const layers: LayerSummary[] = [];
  if (RECIPES[recipe].augmentation) {
    layers.push({
      name: 'data_augmentation',
      className: 'RandomFlip+Rotation+Zoom, training only',
      outputShape: [imageSize, imageSize, 3],
      params: 0,
    });
  }
  for (const layer of model.layers) {
    const shape = layer.outputShape as (number | null)[];
    layers.push({
      name: layer.name,
      className: layer.getClassName(),
      outputShape: shape.slice(1).map((d) => d ?? -1),
      params: layer.countParams(),
    });
  }
  const totalParams = layers.reduce((sum, l) => sum + l.params, 0);
  const trainableParams = model.trainableWeights.reduce((sum, w) => sum + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
  return { type: 'model-summary', recipe, imageSize, layers, totalParams, trainableParams };
}

/** The summary as the fixed-width table Keras prints. */
export function formatSummary(summary: ModelSummaryMessage): string {
  const rows = summary.layers.map((l) => [`${l.name} (${l.className})`, `(None, ${l.outputShape.join(', ')})`, l.params.toLocaleString('en-US')]);
  const header = ['Layer (type)', 'Output Shape', 'Param #'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)) + 2);
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('').trimEnd();
  const rule = '─'.repeat(widths.reduce((a, b) => a + b, 0));
  return [
    rule,
    line(header),
    rule,
    ...rows.map(line),
    rule,
    `Total params: ${summary.totalParams.toLocaleString('en-US')}`,
    `Trainable params: ${summary.trainableParams.toLocaleString('en-US')}`,
    rule,
  ].join('\n');
}
