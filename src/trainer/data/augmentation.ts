/**
 * The data-augmentation stage of "Model 2" (Deep Learning with Python ch. 8.2):
 *
 *   Sequential([RandomFlip("horizontal"), RandomRotation(0.1), RandomZoom(0.2)])
 *
 * in plain TypeScript on typed arrays, so it gives identical results with every TensorFlow.js
 * backend and can run in a worker thread. Like the Keras layers it is meant for training only;
 * at predict/evaluate time the caller simply does not call it.
 *
 * Conventions (checked against the Keras sources: tf.keras 2.x
 * `keras/layers/preprocessing/image_preprocessing.py` `get_rotation_matrix` / `get_zoom_matrix`
 * / `transform` (repo keras-team/keras and tensorflow/tensorflow
 * `tensorflow/python/keras/layers/preprocessing/image_preprocessing.py`), and Keras 3
 * `keras/src/layers/preprocessing/image_preprocessing/random_rotation.py` / `random_zoom.py`):
 *
 * - Coordinates are pixel indices: x = column 0..W-1 (right), y = row 0..H-1 (down). Every
 *   transform is about the image centre (cx, cy) = ((W-1)/2, (H-1)/2), as in Keras, so on an
 *   odd-size image the centre is a pixel.
 * - Keras' matrices are *inverse* maps: for each OUTPUT pixel p they give the INPUT point sampled.
 * - RandomFlip("horizontal"): with probability 1/2, output column x takes input column W-1-x.
 * - RandomRotation(factor): angle drawn uniformly in [-factor*2*pi, +factor*2*pi] radians.
 *   Keras' inverse map is  in = c + [[cos a, -sin a], [sin a, cos a]] (out - c)  (x right, y down).
 *   Seen on screen (y down) a POSITIVE angle rotates the picture COUNTER-CLOCKWISE (Keras doc:
 *   "A positive values means rotating counter clock-wise"). E.g. a = +pi/2 moves the pixel one
 *   step right of the centre to one step above the centre: (r, c) -> (cy - (c - cx), cx + (r - cy))
 *   in (row, col).
 * - RandomZoom(height_factor, width_factor=None): zoom factor z drawn uniformly in
 *   [-height_factor, +height_factor]; the width factor equals the height factor (aspect ratio kept).
 *   The inverse map is  in = c + (1 + z) (out - c), i.e. the scale applied to the sampling
 *   coordinates is 1 + z: z > 0 samples a larger region = zoom OUT (content shrinks by 1/(1+z)),
 *   z < 0 = zoom IN (z = -0.5 doubles the content: a source pixel at distance d from the centre
 *   lands at distance 2d).
 * - interpolation "bilinear": the 4 neighbours of the sampled point, weights (1-fx)(1-fy) etc.
 * - fill_mode "reflect" `(d c b a | a b c d | d c b a)`, "reflecting about the edge of the last
 *   pixel", i.e. the edge pixel is repeated: index -1 -> 0, -2 -> 1, W -> W-1, W+1 -> W-2, periodic
 *   with period 2W. Neighbour indices are reflected before interpolation; this gives the same values
 *   as TensorFlow's ImageProjectiveTransformV3 (which reflects the continuous coordinate, clamps it
 *   to [0, len-1], then interpolates).
 *
 * DELIBERATE DIFFERENCE from Keras: Keras resamples the image three times (flip, then rotation,
 * then zoom, each bilinear with reflect fill). Here the three maps are composed into ONE affine
 * map per image and each output pixel is sampled once:
 *   in = c + F R(a) Z (out - c),   F = diag(-1, 1) if flipped, R(a) as above, Z = diag(1+zw, 1+zh).
 * This is the same geometry (flip, then rotate, then zoom). Numerically it differs from Keras in two
 * ways: one bilinear interpolation instead of two (rotation + zoom), so slightly less blur; and near
 * the borders, where Keras' zoom reflects the already rotated-and-reflected intermediate image while
 * here the original image is reflected directly.
 */
import { UserError } from '../util/errors';
import type { Rng } from '../util/rng';

/** Keras factors: `rotation` is a fraction of a full turn, `zoom` a fraction of the size. */
export interface AugmentationConfig {
  flip: 'horizontal' | 'none';
  rotation: number;
  zoom: number;
}

/** The seed's `Sequential([RandomFlip("horizontal"), RandomRotation(0.1), RandomZoom(0.2)])`. */
export const SEED_AUGMENTATION: AugmentationConfig = { flip: 'horizontal', rotation: 0.1, zoom: 0.2 };

/**
 * One image's draw.
 * - `flip`: mirror left-right.
 * - `angle`: radians; positive = counter-clockwise on screen (Keras' convention).
 * - `zoomHeight` / `zoomWidth`: Keras zoom factors z in [-zoom, zoom]; the sampling scale is 1 + z
 *   (positive = zoom out, negative = zoom in).
 */
export interface AugmentationParams {
  flip: boolean;
  angle: number;
  zoomHeight: number;
  zoomWidth: number;
}

/** Parameters that leave an image unchanged. */
export const IDENTITY_AUGMENTATION: AugmentationParams = { flip: false, angle: 0, zoomHeight: 0, zoomWidth: 0 };

/** Throws a UserError if a config is outside what the Keras layers accept. */
export function validateAugmentationConfig(config: AugmentationConfig): void {
  if (config.flip !== 'horizontal' && config.flip !== 'none') {
    throw new UserError('bad-setting', `Augmentation flip must be "horizontal" or "none" (got ${JSON.stringify(config.flip)}).`);
  }
  if (!Number.isFinite(config.rotation) || config.rotation < 0 || config.rotation > 1) {
    throw new UserError('bad-setting', `Augmentation rotation must be a fraction of a full turn in [0, 1] (got ${config.rotation}).`);
  }
  if (!Number.isFinite(config.zoom) || config.zoom < 0 || config.zoom > 1) {
    throw new UserError('bad-setting', `Augmentation zoom must be in [0, 1] (got ${config.zoom}).`);
  }
}

/**
 * Draws one image's parameters. Always consumes exactly three numbers from `rng` (flip, angle,
 * zoom), whatever the config, so the stream stays aligned across configs.
 */
export function drawAugmentationParams(config: AugmentationConfig, rng: Rng): AugmentationParams {
  const flipDraw = rng.next();
  const angleDraw = rng.next();
  const zoomDraw = rng.next();
  const maxAngle = config.rotation * 2 * Math.PI;
  const zoom = config.zoom * (2 * zoomDraw - 1);
  return {
    flip: config.flip === 'horizontal' && flipDraw < 0.5,
    angle: maxAngle * (2 * angleDraw - 1),
    zoomHeight: zoom,
    zoomWidth: zoom, // width_factor=None: width follows height (aspect ratio kept)
  };
}

/**
 * The inverse affine map of `params` for an image of the given size, as
 * `[a, b, tx, c, d, ty]`: the output pixel (x, y) samples the input point
 * (a x + b y + tx, c x + d y + ty).
 */
export function inverseAffine(params: AugmentationParams, height: number, width: number): [number, number, number, number, number, number] {
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const cos = Math.cos(params.angle);
  const sin = Math.sin(params.angle);
  const zx = 1 + params.zoomWidth;
  const zy = 1 + params.zoomHeight;
  const f = params.flip ? -1 : 1;
  // M = F * R * Z
  const a = snap(f * cos * zx);
  const b = snap(-f * sin * zy);
  const c = snap(sin * zx);
  const d = snap(cos * zy);
  return [a, b, cx - a * cx - b * cy, c, d, cy - c * cx - d * cy];
}

/** Removes floating-point dust such as cos(pi/2) = 6e-17, so exact quarter turns stay exact. */
function snap(v: number): number {
  if (Math.abs(v) < 1e-12) return 0;
  const r = Math.round(v);
  return Math.abs(v - r) < 1e-12 ? r : v;
}

/** Reflect fill (d c b a | a b c d | d c b a) for an integer index, period 2n. */
function reflectIndex(i: number, n: number): number {
  if (i >= 0 && i < n) return i;
  if (n <= 1) return 0;
  const period = 2 * n;
  let m = i % period;
  if (m < 0) m += period;
  return m < n ? m : period - 1 - m;
}

/** The six numbers of an inverse affine map, [a, b, tx, c, d, ty] (see inverseAffine). */
export type AffineMap = ArrayLike<number>;

interface SampleOptions {
  src: Uint8Array | Float32Array;
  height: number;
  width: number;
  channels: number;
  dst: Float32Array;
  dstOffset?: number;
  srcOffset?: number;
}

/**
 * Writes the augmented image (height*width*channels floats, HWC, values in the source's scale)
 * into `dst` at `dstOffset`. `src` is read at `srcOffset`.
 */
export function augmentImage(options: SampleOptions & { params: AugmentationParams }): void {
  sampleAffine({ ...options, affine: inverseAffine(options.params, options.height, options.width) });
}

/**
 * Samples an image through an inverse affine map (bilinear, reflect fill) into `dst` at `dstOffset`: what
 * augmentImage does with the map of its params, for a map drawn elsewhere (train/batches.ts gatherBatch).
 */
export function sampleAffine(options: SampleOptions & { affine: AffineMap }): void {
  const { src, height: H, width: W, channels: C, dst } = options;
  const dstOffset = options.dstOffset ?? 0;
  const srcOffset = options.srcOffset ?? 0;
  const size = H * W * C;
  if (!(Number.isInteger(H) && Number.isInteger(W) && Number.isInteger(C) && H > 0 && W > 0 && C > 0)) {
    throw new Error(`sampleAffine: bad image shape ${H}x${W}x${C}`);
  }
  if (srcOffset < 0 || srcOffset + size > src.length) {
    throw new Error(`sampleAffine: source too small (${src.length} values, need ${srcOffset + size})`);
  }
  if (dstOffset < 0 || dstOffset + size > dst.length) {
    throw new Error(`sampleAffine: destination too small (${dst.length} values, need ${dstOffset + size})`);
  }

  const [a, b, tx, c, d, ty] = [options.affine[0], options.affine[1], options.affine[2], options.affine[3], options.affine[4], options.affine[5]];
  const rowStride = W * C;
  const lastX = W - 1;
  const lastY = H - 1;
  let o = dstOffset;

  for (let y = 0; y < H; y++) {
    // Input point of the output pixel (0, y); stepping x adds (a, c).
    let sx = b * y + tx;
    let sy = d * y + ty;
    for (let x = 0; x < W; x++, sx += a, sy += c) {
      // Incremental stepping is exact for the identity / flip / quarter-turn cases (a, c in {-1, 0, 1});
      // otherwise the drift over a row is ~1e-13 px.
      const x0f = Math.floor(sx);
      const y0f = Math.floor(sy);
      const fx = sx - x0f;
      const fy = sy - y0f;
      let xa: number;
      let xb: number;
      let ya: number;
      let yb: number;
      if (x0f >= 0 && x0f < lastX) {
        xa = x0f;
        xb = x0f + 1;
      } else {
        xa = reflectIndex(x0f, W);
        xb = reflectIndex(x0f + 1, W);
      }
      if (y0f >= 0 && y0f < lastY) {
        ya = y0f;
        yb = y0f + 1;
      } else {
        ya = reflectIndex(y0f, H);
        yb = reflectIndex(y0f + 1, H);
      }
      const rowA = srcOffset + ya * rowStride;
      const rowB = srcOffset + yb * rowStride;
      const i00 = rowA + xa * C;
      const i01 = rowA + xb * C;
      const i10 = rowB + xa * C;
      const i11 = rowB + xb * C;
      const gx = 1 - fx;
      const gy = 1 - fy;
      const w00 = gx * gy;
      const w01 = fx * gy;
      const w10 = gx * fy;
      const w11 = fx * fy;
      if (C === 3) {
        dst[o] = w00 * src[i00] + w01 * src[i01] + w10 * src[i10] + w11 * src[i11];
        dst[o + 1] = w00 * src[i00 + 1] + w01 * src[i01 + 1] + w10 * src[i10 + 1] + w11 * src[i11 + 1];
        dst[o + 2] = w00 * src[i00 + 2] + w01 * src[i01 + 2] + w10 * src[i10 + 2] + w11 * src[i11 + 2];
        o += 3;
      } else {
        for (let k = 0; k < C; k++) {
          dst[o++] = w00 * src[i00 + k] + w01 * src[i01 + k] + w10 * src[i10 + k] + w11 * src[i11 + k];
        }
      }
    }
  }
}
