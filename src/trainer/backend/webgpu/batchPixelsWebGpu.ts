/**
 * A batch's pixels made on the GPU: the images arrive as their uint8 bytes (4 packed in each int32), and each
 * output pixel is sampled through its image's inverse affine map with bilinear interpolation and reflect fill:
 * the same math as the CPU augmentation (../../data/augmentation.ts, augmentImage), so Model 2's flip, rotation
 * and zoom cost the CPU nothing. An image without a map (identity: 1 0 0 0 1 0) is copied exactly.
 * Output: float32 [count, height, width, 3] in 0..255, what the model's Rescaling layer takes.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { AFFINE_SIZE, BATCH_PIXELS } from '../../engine/devicePixels';
import { FlatProgram, type WebGpuUtil } from './flatProgram';


export interface BatchPixelsAttrs {
  count: number;
  height: number;
  width: number;
}

class BatchPixelsProgram extends FlatProgram {
  readonly variableNames = ['images', 'transforms'];

  constructor(
    private readonly attrs: BatchPixelsAttrs,
    util: WebGpuUtil,
  ) {
    super([attrs.count, attrs.height, attrs.width, 3], `smallConvnetBatchPixels_${attrs.height}_${attrs.width}`, util);
  }

  getUserCode(): string {
    const { height: H, width: W } = this.attrs;
    return `
      fn reflectIndex(i : i32, n : i32) -> i32 {
        if (i >= 0 && i < n) { return i; }
        if (n <= 1) { return 0; }
        let period = 2 * n;
        var m = i % period;
        if (m < 0) { m = m + period; }
        if (m < n) { return m; }
        return period - 1 - m;
      }

      fn byteAt(p : i32) -> f32 {
        let word = bitcast<u32>(images[p >> 2u]);
        return f32((word >> (u32(p & 3) * 8u)) & 255u);
      }

      ${mainHeader()} {
        if (index < uniforms.size) {
          let channel = index % 3;
          let pixel = index / 3;
          let x = pixel % ${W};
          let y = (pixel / ${W}) % ${H};
          let image = pixel / ${W * H};
          let t = image * ${AFFINE_SIZE};
          let sx = transforms[t] * f32(x) + transforms[t + 1] * f32(y) + transforms[t + 2];
          let sy = transforms[t + 3] * f32(x) + transforms[t + 4] * f32(y) + transforms[t + 5];
          let x0f = floor(sx);
          let y0f = floor(sy);
          let fx = sx - x0f;
          let fy = sy - y0f;
          let x0 = i32(x0f);
          let y0 = i32(y0f);
          let xa = reflectIndex(x0, ${W});
          let xb = reflectIndex(x0 + 1, ${W});
          let ya = reflectIndex(y0, ${H});
          let yb = reflectIndex(y0 + 1, ${H});
          let base = image * ${H * W * 3} + channel;
          let v00 = byteAt(base + (ya * ${W} + xa) * 3);
          let v01 = byteAt(base + (ya * ${W} + xb) * 3);
          let v10 = byteAt(base + (yb * ${W} + xa) * 3);
          let v11 = byteAt(base + (yb * ${W} + xb) * 3);
          let gx = 1.0 - fx;
          let gy = 1.0 - fy;
          setOutputAtIndex(index, gx * gy * v00 + fx * gy * v01 + gx * fy * v10 + fx * fy * v11);
        }
      }
    `;
  }
}

/** tfjs' "fn main(index)" header: the program's entry point with the flat output index. */
function mainHeader(): string {
  return 'fn main(index : i32)';
}

/** Registers the kernel for the webgpu backend (after its module is loaded); a second call does nothing. */
export function registerBatchPixels(webgpu: typeof import('@tensorflow/tfjs-backend-webgpu')): void {
  if (tf.getKernel(BATCH_PIXELS, 'webgpu') !== undefined) return;
  tf.registerKernel({
    kernelName: BATCH_PIXELS,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { images, transforms } = inputs as { images: tf.TensorInfo; transforms: tf.TensorInfo };
      const program = new BatchPixelsProgram(attrs as unknown as BatchPixelsAttrs, webgpu.webgpu_util);
      return (backend as WebGPUBackend).runWebGPUProgram(program, [images, transforms], 'float32');
    },
  });
}
