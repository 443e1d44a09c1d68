/** Inference over many images in batches: the model's outputs as one flat array (count x units). */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { assembleBatch, batchIndices, type LabeledImages } from './batches';

/**
 * `signal`: checked between batches (which yield to the event loop so a cancel on stdin is read); an abort
 * throws its reason.
 */
export async function predictAll(options: { model: tfl.LayersModel; data: LabeledImages; batchSize: number; signal?: AbortSignal }): Promise<{ outputs: Float32Array; units: number }> {
  const { model, data, batchSize, signal } = options;
  const units = (model.outputs[0].shape.at(-1) as number) ?? 1;
  const outputs = new Float32Array(data.count * units);
  const order = Array.from({ length: data.count }, (_, i) => i);
  let offset = 0;
  for (const indices of batchIndices(order, batchSize)) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    signal?.throwIfAborted();
    const batch = assembleBatch({ data, indices });
    const result = tf.tidy(() => model.apply(tf.tensor4d(batch.pixels, [batch.size, data.height, data.width, 3]), { training: false }) as tf.Tensor);
    // Read asynchronously: the webgpu backend has no synchronous read in Node.
    const values = (await result.data()) as Float32Array;
    result.dispose();
    outputs.set(values, offset);
    offset += values.length;
  }
  return { outputs, units };
}
