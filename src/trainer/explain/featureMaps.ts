/**
 * What each convolution and pooling layer of the model computes for one image (Deep Learning with Python,
 * 2nd ed., 9.4.1 "Visualizing intermediate activations"): the layer's output, and a picture of its first channels,
 * each normalised to its own range and coloured with inferno, in rows of 8.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { inferno } from './heatmapImage';

export interface FeatureMap {
  name: string;
  /** Conv2D or MaxPooling2D. */
  kind: string;
  /** [height, width, channels]. */
  shape: [number, number, number];
  values: Float32Array;
}

const SHOWN_KINDS = new Set(['Conv2D', 'MaxPooling2D']);

/** The outputs of every conv and pooling layer for one image (H * W * 3 RGB values 0..255). */
export function featureMaps(options: { model: tfl.LayersModel; pixels: Uint8Array | Float32Array; size: number }): FeatureMap[] {
  const { model, size } = options;
  const maps: FeatureMap[] = [];
  tf.tidy(() => {
    let x: tf.Tensor = tf.tensor4d(Float32Array.from(options.pixels), [1, size, size, 3]);
    for (const layer of model.layers) {
      const kind = layer.getClassName();
      if (kind === 'Flatten') break;
      x = layer.apply(x) as tf.Tensor;
      if (SHOWN_KINDS.has(kind)) {
        const [, h, w, c] = x.shape;
        maps.push({ name: layer.name, kind, shape: [h, w, c], values: x.dataSync() as Float32Array });
      }
    }
  });
  return maps;
}

export interface FeatureGrid {
  rgb: Uint8Array;
  width: number;
  height: number;
  /** How many channels it shows. */
  channels: number;
}

/** The first `channels` channels of a map as tiles of at least 48 px (nearest-neighbour), 8 per row, 2 px apart. */
export function featureGrid(map: FeatureMap, channels = 16): FeatureGrid {
  const [h, w, c] = map.shape;
  const shown = Math.min(channels, c);
  const scale = Math.max(1, Math.ceil(48 / Math.max(h, w)));
  const tileW = w * scale;
  const tileH = h * scale;
  const gap = 2;
  const columns = Math.min(8, shown);
  const rows = Math.ceil(shown / columns);
  const width = columns * tileW + (columns - 1) * gap;
  const height = rows * tileH + (rows - 1) * gap;
  const rgb = new Uint8Array(width * height * 3).fill(40);
  for (let k = 0; k < shown; k++) {
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < h * w; i++) {
      const v = map.values[i * c + k];
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const range = max - min;
    const ox = (k % columns) * (tileW + gap);
    const oy = Math.floor(k / columns) * (tileH + gap);
    for (let y = 0; y < tileH; y++) {
      for (let x = 0; x < tileW; x++) {
        const v = map.values[(Math.floor(y / scale) * w + Math.floor(x / scale)) * c + k];
        const colour = inferno(range > 0 ? (v - min) / range : 0);
        const o = ((oy + y) * width + ox + x) * 3;
        rgb[o] = colour[0];
        rgb[o + 1] = colour[1];
        rgb[o + 2] = colour[2];
      }
    }
  }
  return { rgb, width, height, channels: shown };
}
