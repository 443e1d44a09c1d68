/**
 * A batch's images as the engine receives them: ready float pixels (0..255, NHWC), or the images' uint8 bytes and
 * each image's inverse affine map (the augmentation drawn on the main thread), for an engine that makes the float
 * pixels where it computes: on its GPU (WebGPU: ../backend/webgpu/batchPixelsWebGpu.ts) or in each worker thread,
 * for its own shard (wasm, cpu: renderPixels).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapF32, heapIndex } from '../backend/wasmKernelUtils';
import { sampleAffine } from '../data/augmentation';

/** The kernel that turns DevicePixels into a float batch on a GPU backend. */
export const BATCH_PIXELS = 'SmallConvnetBatchPixels';

export interface DevicePixels {
  /** count * height * width * 3 bytes, HWC, images back to back. */
  images: Uint8Array;
  /**
   * 6 numbers per image ([a, b, tx, c, d, ty], see augmentation.ts inverseAffine), in double precision so that
   * the CPU samples exactly where augmentImage would; null: no augmentation.
   */
  transforms: Float64Array | null;
}

export type BatchPixels = Float32Array | DevicePixels;

/** Numbers per image in `transforms`: [a, b, tx, c, d, ty] (input point = (a x + b y + tx, c x + d y + ty)). */
export const AFFINE_SIZE = 6;

const IDENTITY = [1, 0, 0, 0, 1, 0];

export interface PixelsShape {
  count: number;
  height: number;
  width: number;
}

/**
 * The float pixels of DevicePixels made on the CPU: each image sampled through its map, or copied; into a new
 * array, or into `into.dst` from `into.offset` (the wasm heap).
 */
export function renderPixels(pixels: DevicePixels, shape: PixelsShape, into?: { dst: Float32Array; offset: number }): Float32Array {
  const { count, height, width } = shape;
  const size = height * width * 3;
  if (pixels.images.length !== count * size) throw new Error(`renderPixels: ${pixels.images.length} bytes for ${count} images of ${height}x${width}x3`);
  const out = into?.dst ?? new Float32Array(count * size);
  const base = into?.offset ?? 0;
  const { transforms } = pixels;
  if (transforms === null) {
    out.set(pixels.images, base);
    return out;
  }
  for (let i = 0; i < count; i++) {
    const affine = transforms.subarray(i * AFFINE_SIZE, (i + 1) * AFFINE_SIZE);
    sampleAffine({ src: pixels.images, srcOffset: i * size, height, width, channels: 3, affine, dst: out, dstOffset: base + i * size });
  }
  return out;
}

/**
 * DevicePixels made on the CPU straight into a new tensor's memory on the wasm heap: no intermediate array, whose
 * fresh pages (6 MB per worker and step) were most of a training run's page faults.
 */
function renderOnWasmHeap(pixels: DevicePixels, shape: PixelsShape): tf.Tensor4D {
  const backend = tf.backend() as BackendWasm;
  const output = backend.makeOutput([shape.count, shape.height, shape.width, 3], 'float32');
  try {
    renderPixels(pixels, shape, { dst: heapF32(backend), offset: heapIndex(backend, output) });
  } catch (error) {
    backend.disposeData(output.dataId);
    throw error;
  }
  return tf.engine().makeTensorFromTensorInfo(output) as tf.Tensor4D;
}

/** Images `start` to `end` of a batch's pixels, as a copy that owns its buffers (to transfer to a worker). */
export function slicePixels(pixels: BatchPixels, range: { start: number; end: number; pixelsPerImage: number }): { pixels: BatchPixels; transfer: ArrayBuffer[] } {
  const { start, end, pixelsPerImage } = range;
  if (pixels instanceof Float32Array) {
    const slice = pixels.slice(start * pixelsPerImage, end * pixelsPerImage);
    return { pixels: slice, transfer: [slice.buffer as ArrayBuffer] };
  }
  const images = pixels.images.slice(start * pixelsPerImage, end * pixelsPerImage);
  const transforms = pixels.transforms?.slice(start * AFFINE_SIZE, end * AFFINE_SIZE) ?? null;
  return { pixels: { images, transforms }, transfer: [images.buffer as ArrayBuffer, ...(transforms ? [transforms.buffer as ArrayBuffer] : [])] };
}

/**
 * The float input tensor [count, height, width, 3] of a batch: DevicePixels are made by the backend's
 * BATCH_PIXELS kernel where it has one (WebGPU), else on this thread's CPU (a worker's own shard).
 */
export function pixelsTensor(pixels: BatchPixels, shape: PixelsShape): tf.Tensor4D {
  const { count, height, width } = shape;
  if (pixels instanceof Float32Array) return tf.tensor4d(pixels, [count, height, width, 3]);
  if (tf.getKernel(BATCH_PIXELS, tf.getBackend()) === undefined) {
    return tf.getBackend() === 'wasm' ? renderOnWasmHeap(pixels, shape) : tf.tensor4d(renderPixels(pixels, shape), [count, height, width, 3]);
  }
  return tf.tidy(() => {
    // 4 bytes per int32 word (little-endian on every platform WebGPU runs on), padded to a whole word.
    const words = new Int32Array(Math.ceil(pixels.images.length / 4));
    new Uint8Array(words.buffer).set(pixels.images);
    const transforms = pixels.transforms ? Float32Array.from(pixels.transforms) : Float32Array.from({ length: count * IDENTITY.length }, (_, i) => IDENTITY[i % IDENTITY.length]);
    return tf.engine().runKernel(
      BATCH_PIXELS,
      { images: tf.tensor1d(words, 'int32'), transforms: tf.tensor1d(transforms) },
      { count, height, width },
    ) as tf.Tensor4D;
  });
}
