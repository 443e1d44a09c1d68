/**
 * The model's architecture as Keras writes it: Keras 3's `config.json` of a `.keras` file, and the TF 2.x
 * (`tf.keras`) `model_config` of a legacy HDF5 file. The seed's model (RECIPE.md): Model 2 starts with its
 * augmentation layers (RandomFlip "horizontal", RandomRotation 0.1, RandomZoom 0.2; inactive at inference, as in
 * Keras), then Rescaling(1/255), the conv stack, Flatten, Dropout and Dense, with the layer names of the model
 * summary. Keras itself cannot be installed on this project's machines (no TensorFlow wheel from Debian), so these
 * files are checked by h5py and an independent PyTorch model (test/export/), not by keras.models.load_model.
 */
import type { ExportedLayer, ExportedModel } from './exportedModel';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const GLOROT = { module: 'keras.initializers', class_name: 'GlorotUniform', config: { seed: null }, registered_name: null };
const ZEROS = { module: 'keras.initializers', class_name: 'Zeros', config: {}, registered_name: null };

/** Keras 3: one layer's entry in a Sequential's `layers`. */
function keras3Layer(className: string, config: Record<string, Json>, inputShape: (number | null)[] | null): Json {
  return {
    module: 'keras.layers',
    class_name: className,
    config: { trainable: true, dtype: 'float32', ...config },
    registered_name: null,
    ...(inputShape ? { build_config: { input_shape: inputShape } } : {}),
  };
}

function layerConfig(layer: ExportedLayer, legacy: boolean): { className: string; config: Record<string, Json> } {
  const regularizers = { kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null };
  const init = legacy
    ? { kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } }, bias_initializer: { class_name: 'Zeros', config: {} } }
    : { kernel_initializer: GLOROT, bias_initializer: ZEROS };
  switch (layer.kind) {
    case 'rescaling':
      return { className: 'Rescaling', config: { name: layer.name, scale: layer.scale, offset: layer.offset } };
    case 'conv2d':
      return {
        className: 'Conv2D',
        config: {
          name: layer.name, filters: layer.filters, kernel_size: layer.kernelSize, strides: [1, 1], padding: 'valid', data_format: 'channels_last',
          dilation_rate: [1, 1], groups: 1, activation: 'relu', use_bias: true, ...init, ...regularizers,
        },
      };
    case 'maxPooling2d':
      return { className: 'MaxPooling2D', config: { name: layer.name, pool_size: layer.poolSize, padding: 'valid', strides: layer.strides, data_format: 'channels_last' } };
    case 'flatten':
      return { className: 'Flatten', config: { name: layer.name, data_format: 'channels_last' } };
    case 'dropout':
      return { className: 'Dropout', config: { name: layer.name, rate: layer.rate, seed: null, noise_shape: null } };
    case 'dense':
      return { className: 'Dense', config: { name: layer.name, units: layer.units, activation: layer.activation, use_bias: true, ...init, ...regularizers } };
  }
}

/** The augmentation layers of Model 2, as Keras 3 configures them (factors from RECIPE.md). */
function augmentationLayers(model: ExportedModel): { className: string; config: Record<string, Json> }[] {
  if (model.augmentation === null) return [];
  const { rotation, zoom } = model.augmentation;
  const common = { seed: null, fill_mode: 'reflect', interpolation: 'bilinear', fill_value: 0 };
  return [
    { className: 'RandomFlip', config: { name: 'random_flip', mode: model.augmentation.flip, seed: null } },
    { className: 'RandomRotation', config: { name: 'random_rotation', factor: rotation, ...common } },
    { className: 'RandomZoom', config: { name: 'random_zoom', height_factor: zoom, width_factor: null, ...common } },
  ];
}

function inputShapes(model: ExportedModel): (number | null)[][] {
  const input = [null, model.imageSize, model.imageSize, 3];
  return [input, ...model.outputShapes.map((shape) => [null, ...shape])];
}

/** Keras 3's config.json of the `.keras` file. */
export function keras3Config(model: ExportedModel): Json {
  const shapes = inputShapes(model);
  const input: [null, number, number, number] = [null, model.imageSize, model.imageSize, 3];
  const layers: Json[] = [keras3Layer('InputLayer', { name: 'input_layer', batch_shape: input, sparse: false }, null)];
  for (const augmentation of augmentationLayers(model)) layers.push(keras3Layer(augmentation.className, augmentation.config, input));
  model.layers.forEach((layer, i) => {
    const { className, config } = layerConfig(layer, false);
    layers.push(keras3Layer(className, config, shapes[i]));
  });
  return {
    module: 'keras',
    class_name: 'Sequential',
    config: { name: model.name, trainable: true, dtype: 'float32', layers },
    registered_name: null,
    build_config: { input_shape: input },
    compile_config: null,
  };
}

/** tf.keras 2.x's model_config of the legacy HDF5 file. */
export function legacyKerasConfig(model: ExportedModel): Json {
  const input = [null, model.imageSize, model.imageSize, 3];
  const layers: Json[] = [{ class_name: 'InputLayer', config: { batch_input_shape: input, dtype: 'float32', sparse: false, ragged: false, name: 'input_1' } }];
  for (const augmentation of augmentationLayers(model)) {
    // TF 2.x names RandomZoom's and RandomRotation's factors the same way; `seed: null` etc. are accepted.
    layers.push({ class_name: augmentation.className, config: { trainable: true, dtype: 'float32', ...augmentation.config } });
  }
  for (const layer of model.layers) {
    const { className, config } = layerConfig(layer, true);
    layers.push({ class_name: className, config: { trainable: true, dtype: 'float32', ...config } });
  }
  return { class_name: 'Sequential', config: { name: model.name, layers } };
}

/** The layers that hold weights, with Keras' variable names in order (kernel, bias). */
export function weightedLayers(model: ExportedModel): { name: string; weights: { name: string; shape: number[]; values: Float32Array }[] }[] {
  return model.layers.flatMap((layer) => {
    if (layer.kind === 'conv2d') {
      const [kh, kw] = layer.kernelSize;
      return [{ name: layer.name, weights: [
        { name: 'kernel', shape: [kh, kw, layer.inChannels, layer.filters], values: layer.kernel },
        { name: 'bias', shape: [layer.filters], values: layer.bias },
      ] }];
    }
    if (layer.kind === 'dense') {
      return [{ name: layer.name, weights: [
        { name: 'kernel', shape: [layer.inputs, layer.units], values: layer.kernel },
        { name: 'bias', shape: [layer.units], values: layer.bias },
      ] }];
    }
    return [];
  });
}
