/**
 * PNGs to stand in for the image files a recorded stream names (they lived in a temporary folder): demo
 * pictures drawn by the trainer's own generator, and augmented versions of one of them. Falls back to
 * plain grey squares if the trainer's modules cannot draw them: the tests only need images that load.
 */
import { basename } from 'node:path';
import sharp from 'sharp';

const SIZE = 80;

async function png(pixels: Uint8Array): Promise<Buffer> {
  return sharp(pixels, { raw: { width: SIZE, height: SIZE, channels: 3 } }).png().toBuffer();
}

async function grey(): Promise<Buffer> {
  return sharp({ create: { width: SIZE, height: SIZE, channels: 3, background: { r: 128, g: 128, b: 128 } } }).png().toBuffer();
}

async function drawn(paths: readonly string[]): Promise<Map<string, Buffer>> {
  const { renderDemoImage } = await import('../../src/trainer/data/demoData');
  const { augmentImage, drawAugmentationParams, SEED_AUGMENTATION } = await import('../../src/trainer/data/augmentation');
  const { Rng } = await import('../../src/trainer/util/rng');
  const demo = (name: string, fallback: number): Uint8Array => {
    const match = /^([a-z]+)\.(\d+)\.png$/.exec(name);
    return renderDemoImage({ kind: match?.[1] ?? 'spots', size: SIZE, seed: 1000 + Number(match?.[2] ?? fallback) });
  };
  const source = demo('spots.1.png', 1);
  const augmented = (index: number): Uint8Array => {
    const params = drawAugmentationParams(SEED_AUGMENTATION, new Rng(1337 + index));
    const work = new Float32Array(source.length);
    augmentImage({ src: source, height: SIZE, width: SIZE, channels: 3, params, dst: work });
    return Uint8Array.from(work, (v) => Math.max(0, Math.min(255, Math.round(v))));
  };
  const images = new Map<string, Buffer>();
  for (const [i, path] of paths.entries()) {
    const name = basename(path);
    const aug = /^augmented-(\d+)\.png$/.exec(name);
    images.set(path, await png(aug ? augmented(Number(aug[1])) : demo(name, i)));
  }
  return images;
}

/** One PNG per path: augmented-N.png become augmented versions of one picture, the others demo pictures. */
export async function fixtureImages(paths: readonly string[]): Promise<Map<string, Buffer>> {
  try {
    return await drawn(paths);
  } catch {
    const fallback = await grey();
    return new Map(paths.map((path) => [path, fallback]));
  }
}
