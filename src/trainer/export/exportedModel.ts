/**
 * A checkpoint's model as the exporters see it (keras, h5, onnx): the layers in order with their settings and
 * weights as flat float32 arrays in Keras' layouts (a Conv2D kernel [kh, kw, in, out], a Dense kernel
 * [in, out]), the input size and the class names. Read from the tfjs layers model the trainer saved, so an
 * export holds exactly the checkpoint's weights.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import type { CheckpointMetadata } from '../../shared/runFiles';
import { RECIPES } from '../../shared/recipes';

export type ExportedLayer =
  | { kind: 'rescaling'; name: string; scale: number; offset: number }
  | { kind: 'conv2d'; name: string; filters: number; kernelSize: [number, number]; inChannels: number; kernel: Float32Array; bias: Float32Array }
  | { kind: 'maxPooling2d'; name: string; poolSize: [number, number]; strides: [number, number] }
  | { kind: 'flatten'; name: string }
  | { kind: 'dropout'; name: string; rate: number }
  | { kind: 'dense'; name: string; units: number; inputs: number; activation: 'sigmoid' | 'softmax'; kernel: Float32Array; bias: Float32Array };

export interface ExportedModel {
  /** The Keras model's name (convnet_from_scratch, convnet_with_augmentation). */
  name: string;
  imageSize: number;
  /** Class names in output order (a 2-class model's one sigmoid unit is the probability of classes[1]). */
  classes: string[];
  /** Model 2 trains with RandomFlip / RandomRotation / RandomZoom (inactive at inference). */
  augmentation: { flip: 'horizontal'; rotation: number; zoom: number } | null;
  layers: ExportedLayer[];
  /** Each layer's output shape without the batch dimension, as the model summary prints it. */
  outputShapes: number[][];
}

/** The seed's augmentation (RECIPE.md): the factors of Keras' RandomRotation and RandomZoom. */
const SEED_AUGMENTATION = { flip: 'horizontal', rotation: 0.1, zoom: 0.2 } as const;

function pair(value: unknown): [number, number] {
  return Array.isArray(value) ? [Number(value[0]), Number(value[1])] : [Number(value), Number(value)];
}

function activationOf(config: Record<string, unknown>): string {
  return String(config.activation ?? 'linear');
}

/** The checkpoint's layers and weights, in Keras' terms. Throws on a layer this exporter does not know (none today). */
export function describeModel(model: tfl.LayersModel, metadata: CheckpointMetadata): ExportedModel {
  const layers: ExportedLayer[] = [];
  const outputShapes: number[][] = [];
  for (const layer of model.layers) {
    const config = layer.getConfig() as Record<string, unknown>;
    const weights = layer.getWeights().map((w) => w.dataSync() as Float32Array);
    const className = layer.getClassName();
    const shape = layer.outputShape as (number | null)[];
    outputShapes.push(shape.slice(1).map(Number));
    switch (className) {
      case 'Rescaling':
        layers.push({ kind: 'rescaling', name: layer.name, scale: Number(config.scale), offset: Number(config.offset ?? 0) });
        break;
      case 'Conv2D': {
        if (activationOf(config) !== 'relu' || config.padding !== 'valid') throw new Error(`${layer.name}: only valid-padded relu convolutions are exported`);
        const kernelShape = layer.getWeights()[0].shape;
        layers.push({ kind: 'conv2d', name: layer.name, filters: Number(config.filters), kernelSize: pair(config.kernelSize), inChannels: Number(kernelShape[2]), kernel: weights[0], bias: weights[1] });
        break;
      }
      case 'MaxPooling2D':
        layers.push({ kind: 'maxPooling2d', name: layer.name, poolSize: pair(config.poolSize), strides: pair(config.strides ?? config.poolSize) });
        break;
      case 'Flatten':
        layers.push({ kind: 'flatten', name: layer.name });
        break;
      case 'Dropout':
        layers.push({ kind: 'dropout', name: layer.name, rate: Number(config.rate) });
        break;
      case 'Dense': {
        const activation = activationOf(config);
        if (activation !== 'sigmoid' && activation !== 'softmax') throw new Error(`${layer.name}: a ${activation} output is not exported`);
        const kernelShape = layer.getWeights()[0].shape;
        layers.push({ kind: 'dense', name: layer.name, units: Number(config.units), inputs: Number(kernelShape[0]), activation, kernel: weights[0], bias: weights[1] });
        break;
      }
      default:
        throw new Error(`the layer ${layer.name} (${className}) cannot be exported`);
    }
  }
  return {
    name: model.name,
    imageSize: metadata.imageSize,
    classes: metadata.classes,
    augmentation: RECIPES[metadata.recipe].augmentation ? { ...SEED_AUGMENTATION } : null,
    layers,
    outputShapes,
  };
}
