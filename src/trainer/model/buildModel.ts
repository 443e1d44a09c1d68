/**
 * Model 1 and Model 2 of the recipe (../shared/seed/RECIPE.md), layer for layer as in Keras:
 * Rescaling(1/255) -> [Conv2D(f, 3, relu) -> MaxPool(2)] x4 with f = 32, 64, 128, 256 -> Conv2D(256, 3, relu)
 * -> Flatten -> [Dropout(0.5)] -> Dense(1, sigmoid). Keras' default initialisers (glorot_uniform kernels,
 * zero biases) are tfjs-layers' defaults too. Model 2's augmentation runs in the input pipeline
 * (src/trainer/data/augmentation.ts), which is Keras' documented alternative to augmentation layers
 * inside the model; it is listed in the summary as a parameter-free first stage.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { convStackSides, MIN_IMAGE_SIZE, RECIPES, type RecipeId } from '../../shared/recipes';
import { flagNote } from '../../shared/settingWords';
import { UserError } from '../util/errors';

export interface ModelOptions {
  recipe: RecipeId;
  imageSize: number;
  /** 2 classes: one sigmoid unit (binary cross-entropy). More: softmax over the classes. */
  numClasses: number;
  /** Seeds the weight initialisers, so a run is reproducible. */
  seed: number;
}

export const CONV_FILTERS = [32, 64, 128, 256, 256] as const;

/** Refuses an image size too small for the conv stack, naming the smallest one that works. */
export function checkImageSize(imageSize: number): void {
  if (!Number.isInteger(imageSize) || imageSize < MIN_IMAGE_SIZE) {
    throw new UserError(
      'bad-setting',
      `Image size ${imageSize} is too small for the convnet: its five 3x3 convolutions and four 2x2 poolings ` +
        `need at least ${MIN_IMAGE_SIZE}x${MIN_IMAGE_SIZE} pixels (at ${imageSize} the last feature map would be ` +
        `${Math.max(0, convStackSides(Math.max(imageSize, 0)).at(-1) ?? 0)} wide). Use an image size of ${MIN_IMAGE_SIZE} or more ${flagNote('--image-size')}; the seed uses 180.`,
    );
  }
}

export function buildModel(options: ModelOptions): tfl.LayersModel {
  const { recipe, imageSize, numClasses, seed } = options;
  checkImageSize(imageSize);
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new UserError('bad-data', `A classifier needs at least 2 classes; the data has ${numClasses}.`);
  }
  let seedCounter = seed;
  const initializer = () => tfl.initializers.glorotUniform({ seed: seedCounter++ });
  const layers: tfl.layers.Layer[] = [
    tfl.layers.rescaling({ scale: 1 / 255, inputShape: [imageSize, imageSize, 3], name: 'rescaling' }),
  ];
  CONV_FILTERS.forEach((filters, index) => {
    layers.push(
      tfl.layers.conv2d({
        filters,
        kernelSize: 3,
        activation: 'relu',
        padding: 'valid',
        kernelInitializer: initializer(),
        name: `conv2d_${index + 1}`,
      }),
    );
    if (index < CONV_FILTERS.length - 1) {
      layers.push(tfl.layers.maxPooling2d({ poolSize: 2, name: `max_pooling2d_${index + 1}` }));
    }
  });
  layers.push(tfl.layers.flatten({ name: 'flatten' }));
  const dropout = RECIPES[recipe].dropout;
  // No seed here: tfjs-layers would reuse one seed for every call, i.e. the same mask every step.
  if (dropout > 0) layers.push(tfl.layers.dropout({ rate: dropout, name: 'dropout' }));
  const binary = numClasses === 2;
  layers.push(
    tfl.layers.dense({
      units: binary ? 1 : numClasses,
      activation: binary ? 'sigmoid' : 'softmax',
      kernelInitializer: initializer(),
      name: 'dense',
    }),
  );
  return tfl.sequential({ layers, name: recipe === 'augmented' ? 'convnet_with_augmentation' : 'convnet_from_scratch' });
}
