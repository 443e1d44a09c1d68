/**
 * The model's forward pass for training, layer by layer, with the same weights as the tfjs-layers
 * model (which is what is saved and used for inference). Differences from `model.apply(x, {training})`:
 * conv layers run as one fused conv+bias+relu op (convBiasRelu.ts), which also does the 2x2 max pooling
 * that follows one, and Dropout multiplies by a mask given by the caller (drawn per example from the
 * seed, see dropoutMask.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { convBiasRelu } from './convBiasRelu';

interface LayerConfig {
  activation?: string;
  padding?: string;
  strides?: number[] | null;
  dilationRate?: number[];
  poolSize?: number[];
  scale?: number;
  offset?: number;
  rate?: number;
}

function variableOf(layer: tfl.layers.Layer, index: number): tf.Tensor {
  return (layer.trainableWeights[index] as unknown as { read(): tf.Tensor }).read();
}

const all = (v: number[] | undefined | null, n: number) => v === undefined || v === null || v.every((d) => d === n);

function isPlainConv(config: LayerConfig): boolean {
  return config.activation === 'relu' && config.padding === 'valid' && all(config.strides, 1) && all(config.dilationRate, 1);
}

/** MaxPooling2D with 2x2 windows, stride 2 (or its default, the window), no padding: the model's. */
function isPool2x2(layer: tfl.layers.Layer | undefined): boolean {
  if (layer?.getClassName() !== 'MaxPooling2D') return false;
  const config = layer.getConfig() as LayerConfig;
  return config.padding === 'valid' && config.poolSize !== undefined && all(config.poolSize, 2) && all(config.strides, 2);
}

/** Units that the Dropout layer sees (its input width), or 0 when the model has no Dropout. */
export function dropoutUnits(model: tfl.LayersModel): number {
  const dropout = model.layers.find((l) => l.getClassName() === 'Dropout');
  return dropout ? ((dropout.outputShape as number[]).at(-1) ?? 0) : 0;
}

export function dropoutRate(model: tfl.LayersModel): number {
  const dropout = model.layers.find((l) => l.getClassName() === 'Dropout');
  return dropout ? ((dropout.getConfig() as LayerConfig).rate ?? 0) : 0;
}

/** Output probabilities of the model in training mode. `dropoutMask` is [batch, units] (required if the model has Dropout). */
export function forwardForTraining(options: { model: tfl.LayersModel; x: tf.Tensor4D; dropoutMask?: tf.Tensor2D }): tf.Tensor {
  const { model, dropoutMask } = options;
  let h: tf.Tensor = options.x;
  let firstConv = true;
  const layers = model.layers;
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i];
    const config = layer.getConfig() as LayerConfig;
    switch (layer.getClassName()) {
      case 'Rescaling':
        h = tf.add(tf.mul(h, config.scale ?? 1), config.offset ?? 0);
        break;
      case 'Conv2D':
        if (isPlainConv(config)) {
          // A 2x2 max pooling right after is done by the same op (its gradient fused with the relu's).
          const pool2x2 = isPool2x2(layers[i + 1]);
          h = convBiasRelu(h as tf.Tensor4D, variableOf(layer, 0) as tf.Tensor4D, variableOf(layer, 1) as tf.Tensor1D, { inputGradient: !firstConv, pool2x2 });
          if (pool2x2) i++;
        } else {
          h = layer.apply(h, { training: true }) as tf.Tensor;
        }
        firstConv = false;
        break;
      case 'Dropout':
        if (!dropoutMask) throw new Error('forwardForTraining: the model has Dropout but no mask was given');
        h = tf.mul(h, dropoutMask);
        break;
      case 'Flatten':
        h = tf.reshape(h, [h.shape[0], -1]);
        break;
      default:
        h = layer.apply(h, { training: true }) as tf.Tensor;
    }
  }
  return h;
}
