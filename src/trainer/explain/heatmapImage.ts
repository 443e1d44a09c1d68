/**
 * A Grad-CAM heatmap as a picture: upsampled (bilinear, pixel centres aligned as tf.image.resizeBilinear with
 * halfPixelCenters) from the last conv layer's grid to the image, coloured with the perceptual "inferno" colour map
 * (dark = nothing, yellow = what pushed the class most) and blended over the image. Pure, except `pngBytes` (sharp).
 */
import sharp from 'sharp';

/** Matplotlib's inferno as a degree-6 polynomial per channel (Matt Zucker's fit); t in 0..1 -> RGB 0..255. */
const INFERNO = [
  [0.0002189403691192265, 0.001651004631001012, -0.01948089843709184],
  [0.1065134194856116, 0.5639564367884091, 3.932712388889277],
  [11.60249308247187, -3.972853965665698, -15.9423941062914],
  [-41.70399613139459, 17.43639888205313, 44.35414519872813],
  [77.162935699427, -33.40235894210092, -81.80730925738993],
  [-71.31942824499214, 32.62606426397723, 73.20951985803202],
  [25.13112622477341, -12.24266895238567, -23.07032500287172],
];

export function inferno(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
  const channel = (c: number) => {
    let value = 0;
    for (let k = INFERNO.length - 1; k >= 0; k--) value = value * x + INFERNO[k][c];
    return Math.round(255 * Math.min(1, Math.max(0, value)));
  };
  return [channel(0), channel(1), channel(2)];
}

/** The grid [rows][columns] resized to size x size by bilinear interpolation (edges clamped). */
export function upsample(heatmap: readonly (readonly number[])[], size: number): Float32Array {
  const rows = heatmap.length;
  const columns = heatmap[0]?.length ?? 0;
  const out = new Float32Array(size * size);
  if (rows === 0 || columns === 0) return out;
  const at = (r: number, c: number) => heatmap[Math.min(rows - 1, Math.max(0, r))][Math.min(columns - 1, Math.max(0, c))];
  for (let y = 0; y < size; y++) {
    const sy = ((y + 0.5) * rows) / size - 0.5;
    const y0 = Math.floor(sy);
    const fy = sy - y0;
    for (let x = 0; x < size; x++) {
      const sx = ((x + 0.5) * columns) / size - 0.5;
      const x0 = Math.floor(sx);
      const fx = sx - x0;
      const top = at(y0, x0) * (1 - fx) + at(y0, x0 + 1) * fx;
      const bottom = at(y0 + 1, x0) * (1 - fx) + at(y0 + 1, x0 + 1) * fx;
      out[y * size + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}

/** The image (RGB bytes, size x size) with the heatmap blended in: (1 - alpha) * image + alpha * inferno(heat). */
export function overlay(options: { pixels: Uint8Array; size: number; heatmap: readonly (readonly number[])[]; alpha?: number }): Uint8Array {
  const { pixels, size } = options;
  const alpha = options.alpha ?? 0.5;
  const heat = upsample(options.heatmap, size);
  const out = new Uint8Array(size * size * 3);
  for (let i = 0; i < size * size; i++) {
    const colour = inferno(heat[i]);
    for (let c = 0; c < 3; c++) out[i * 3 + c] = Math.round((1 - alpha) * pixels[i * 3 + c] + alpha * colour[c]);
  }
  return out;
}

/** RGB bytes as PNG file content. */
export async function pngBytes(options: { rgb: Uint8Array; width: number; height: number }): Promise<Uint8Array> {
  const raw = Buffer.from(options.rgb.buffer, options.rgb.byteOffset, options.rgb.byteLength);
  return new Uint8Array(await sharp(raw, { raw: { width: options.width, height: options.height, channels: 3 } }).png().toBuffer());
}
