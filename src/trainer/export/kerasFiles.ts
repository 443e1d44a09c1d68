/**
 * Keras files of the checkpoint, the HDF5 parts written by h5wasm (the HDF5 library compiled to WebAssembly)
 * and the zip by fflate:
 * - `.keras` (Keras 3): a zip of metadata.json, config.json (kerasConfig.ts) and model.weights.h5, whose
 *   layout is Keras 3's saving_lib: `layers/<layer name>/vars/<i>` (kernel 0, bias 1), a `vars` group for
 *   every layer (empty where it has no weights), and an empty top-level `vars`;
 * - `.h5` (tf.keras 2.x legacy): the `model_config` JSON attribute and `model_weights/<layer>/<layer>/kernel:0`
 *   datasets, with the `layer_names` / `weight_names` attributes Keras' HDF5 loader reads.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { keras3Config, legacyKerasConfig, weightedLayers } from './kerasConfig';
import type { ExportedModel } from './exportedModel';

/** The Keras version these files say wrote them (the format they follow). */
export const KERAS_VERSION = '3.6.0';
const LEGACY_KERAS_VERSION = '2.15.0';

type H5 = typeof import('h5wasm/node');
type H5Group = InstanceType<H5['Group']>;

/** h5wasm is an ES module with its WebAssembly inside; loaded on first use (it is not bundled: see esbuild.mjs). */
async function loadH5(): Promise<H5> {
  const h5 = (await import('h5wasm/node')) as H5;
  await h5.ready;
  return h5;
}

/** Writes an HDF5 file through h5wasm (which writes to a real path) and returns its bytes. */
async function hdf5Bytes(fill: (root: H5Group) => void): Promise<Uint8Array> {
  const h5 = await loadH5();
  const dir = mkdtempSync(join(tmpdir(), 'small-convnet-h5-'));
  try {
    const path = join(dir, 'file.h5');
    const file = new h5.File(path, 'w');
    try {
      fill(file);
    } finally {
      file.close();
    }
    return new Uint8Array(readFileSync(path));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The group at `path` under `root`, made level by level (h5wasm does not make intermediate groups). */
function groupAt(root: H5Group, path: string[]): H5Group {
  let group = root;
  for (const name of path) group = (group.keys().includes(name) ? group.get(name) : group.create_group(name)) as H5Group;
  return group;
}

function float32Dataset(group: H5Group, name: string, shape: number[], values: Float32Array): void {
  group.create_dataset({ name, data: values, shape, dtype: '<f' });
}

/** Keras 3's model.weights.h5. */
export async function keras3WeightsBytes(model: ExportedModel): Promise<Uint8Array> {
  const weighted = new Map(weightedLayers(model).map((layer) => [layer.name, layer.weights]));
  return hdf5Bytes((root) => {
    groupAt(root, ['vars']);
    for (const layer of model.layers) {
      const vars = groupAt(root, ['layers', layer.name, 'vars']);
      (weighted.get(layer.name) ?? []).forEach((weight, i) => float32Dataset(vars, String(i), weight.shape, weight.values));
    }
  });
}

/** The `.keras` file (Keras 3). */
export async function kerasFileBytes(model: ExportedModel, now = new Date()): Promise<Uint8Array> {
  const metadata = { keras_version: KERAS_VERSION, date_saved: now.toISOString().slice(0, 19).replace('T', '@'), producer: 'small-convnet' };
  return zipSync({
    'metadata.json': strToU8(JSON.stringify(metadata)),
    'config.json': strToU8(JSON.stringify(keras3Config(model))),
    'model.weights.h5': await keras3WeightsBytes(model),
  });
}

/** The legacy HDF5 file of tf.keras 2.x. */
export async function legacyH5Bytes(model: ExportedModel): Promise<Uint8Array> {
  const layers = weightedLayers(model);
  const weighted = new Map(layers.map((layer) => [layer.name, layer.weights]));
  return hdf5Bytes((root) => {
    root.create_attribute('keras_version', LEGACY_KERAS_VERSION);
    root.create_attribute('backend', 'tensorflow');
    root.create_attribute('model_config', JSON.stringify(legacyKerasConfig(model)));
    const weightsGroup = groupAt(root, ['model_weights']);
    weightsGroup.create_attribute('keras_version', LEGACY_KERAS_VERSION);
    weightsGroup.create_attribute('backend', 'tensorflow');
    weightsGroup.create_attribute('layer_names', model.layers.map((layer) => layer.name));
    for (const layer of model.layers) {
      const group = groupAt(weightsGroup, [layer.name]);
      const weights = weighted.get(layer.name) ?? [];
      // A layer without weights has no weight_names: Keras' loader reads a missing attribute as none.
      if (weights.length === 0) continue;
      group.create_attribute('weight_names', weights.map((w) => `${layer.name}/${w.name}:0`));
      const inner = groupAt(group, [layer.name]);
      for (const weight of weights) float32Dataset(inner, `${weight.name}:0`, weight.shape, weight.values);
    }
  });
}
