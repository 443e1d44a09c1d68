/**
 * A batch's images as the engine receives them: ready float pixels (0..255, NHWC), or, for an engine that
 * makes them on its device (WebGPU: ../backend/webgpu/batchPixelsWebGpu.ts), the images' uint8 bytes and
 * each image's inverse affine map (the augmentation drawn on the CPU, applied on the GPU).
 */
import * as tf from '@tensorflow/tfjs-core';

/** The kernel that turns DevicePixels into a float batch. */
export const BATCH_PIXELS = 'SmallConvnetBatchPixels';

export interface DevicePixels {
  /** count * height * width * 3 bytes, HWC, images back to back. */
  images: Uint8Array;
  /** 6 numbers per image ([a, b, tx, c, d, ty], see augmentation.ts inverseAffine); null: no augmentation. */
  transforms: Float32Array | null;
}

export type BatchPixels = Float32Array | DevicePixels;

/** Numbers per image in `transforms`: [a, b, tx, c, d, ty] (input point = (a x + b y + tx, c x + d y + ty)). */
export const AFFINE_SIZE = 6;

const IDENTITY = [1, 0, 0, 0, 1, 0];

/** The float input tensor [count, height, width, 3] of a batch. */
export function pixelsTensor(pixels: BatchPixels, shape: { count: number; height: number; width: number }): tf.Tensor4D {
  const { count, height, width } = shape;
  if (pixels instanceof Float32Array) return tf.tensor4d(pixels, [count, height, width, 3]);
  return tf.tidy(() => {
    // 4 bytes per int32 word (little-endian on every platform WebGPU runs on), padded to a whole word.
    const words = new Int32Array(Math.ceil(pixels.images.length / 4));
    new Uint8Array(words.buffer).set(pixels.images);
    const transforms = pixels.transforms ?? Float32Array.from({ length: count * IDENTITY.length }, (_, i) => IDENTITY[i % IDENTITY.length]);
    return tf.engine().runKernel(
      BATCH_PIXELS,
      { images: tf.tensor1d(words, 'int32'), transforms: tf.tensor1d(transforms) },
      { count, height, width },
    ) as tf.Tensor4D;
  });
}
