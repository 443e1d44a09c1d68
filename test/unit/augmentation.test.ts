import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import {
  type AugmentationParams,
  SEED_AUGMENTATION,
  augmentImage,
  drawAugmentationParams,
  inverseAffine,
} from '../../src/trainer/data/augmentation';
import { pixelsTensor, renderPixels, slicePixels } from '../../src/trainer/engine/devicePixels';
import { selectBackend } from '../../src/trainer/backend/selectBackend';
import { assertNoLeak } from '../helpers/wasmTesting';
import { assembleBatch, gatherBatch } from '../../src/trainer/train/batches';
import { writeAugmentationPreview } from '../../src/trainer/data/augmentationPreview';
import { Rng } from '../../src/trainer/util/rng';

const IDENTITY: AugmentationParams = { flip: false, angle: 0, zoomHeight: 0, zoomWidth: 0 };

function randomImage(h: number, w: number, c: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(h * w * c);
  for (let i = 0; i < out.length; i++) out[i] = rng.uniform(1, 255);
  return out;
}

function run(src: Uint8Array | Float32Array, h: number, w: number, c: number, params: AugmentationParams): Float32Array {
  const dst = new Float32Array(h * w * c);
  augmentImage({ src, height: h, width: w, channels: c, params, dst });
  return dst;
}

/** Image of zeros with `value` at the given (row, col) pixels, all channels. */
function marked(h: number, w: number, c: number, pixels: Array<[number, number]>, value = 255): Uint8Array {
  const img = new Uint8Array(h * w * c);
  for (const [r, col] of pixels) for (let k = 0; k < c; k++) img[(r * w + col) * c + k] = value;
  return img;
}

/** The (row, col) pixels whose first channel is non-zero. */
function nonZeroPixels(img: Float32Array, h: number, w: number, c: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let r = 0; r < h; r++) for (let col = 0; col < w; col++) if (img[(r * w + col) * c] !== 0) out.push([r, col]);
  return out;
}

const at = (img: Float32Array | Uint8Array, w: number, c: number, r: number, col: number, k = 0): number => img[(r * w + col) * c + k];

describe('augmentImage', () => {
  it('identity params reproduce the image exactly (float and uint8 sources, non-square)', () => {
    const h = 7;
    const w = 9;
    const c = 3;
    const src = randomImage(h, w, c, 1);
    assert.deepEqual(run(src, h, w, c, IDENTITY), src);
    const bytes = Uint8Array.from(src, (v) => Math.round(v));
    assert.deepEqual(run(bytes, h, w, c, IDENTITY), Float32Array.from(bytes));
  });

  it('respects srcOffset and dstOffset', () => {
    const src = randomImage(4, 5, 3, 2);
    const padded = new Float32Array(src.length + 10);
    padded.set(src, 10);
    const dst = new Float32Array(src.length + 7);
    augmentImage({ src: padded, srcOffset: 10, height: 4, width: 5, channels: 3, params: IDENTITY, dst, dstOffset: 7 });
    assert.deepEqual(dst.subarray(7), src);
    assert.deepEqual(Array.from(dst.subarray(0, 7)), [0, 0, 0, 0, 0, 0, 0]);
  });

  it('a horizontal flip moves (r, c) to (r, W-1-c)', () => {
    const h = 5;
    const w = 8;
    const c = 3;
    const out = run(marked(h, w, c, [[1, 2]]), h, w, c, { ...IDENTITY, flip: true });
    assert.deepEqual(nonZeroPixels(out, h, w, c), [[1, w - 1 - 2]]);
    for (let k = 0; k < c; k++) assert.equal(at(out, w, c, 1, 5, k), 255);
    // A flip of a flip is the identity.
    const src = randomImage(h, w, c, 3);
    const once = run(src, h, w, c, { ...IDENTITY, flip: true });
    assert.deepEqual(run(once, h, w, c, { ...IDENTITY, flip: true }), src);
  });

  it('angle = +pi/2 rotates counter-clockwise: right of centre -> above centre (9x9, centre (4,4))', () => {
    const n = 9;
    const c = 3;
    const half = Math.PI / 2;
    // (row 4, col 6): 2 px right of the centre -> (row 2, col 4): 2 px above it.
    assert.deepEqual(nonZeroPixels(run(marked(n, n, c, [[4, 6]]), n, n, c, { ...IDENTITY, angle: half }), n, n, c), [[2, 4]]);
    // (row 1, col 6): 3 up, 2 right -> 2 up, 3 left = (row 2, col 1).
    const out = run(marked(n, n, c, [[1, 6]]), n, n, c, { ...IDENTITY, angle: half });
    assert.deepEqual(nonZeroPixels(out, n, n, c), [[2, 1]]);
    assert.equal(at(out, n, c, 2, 1, 2), 255);
    // -pi/2 goes the other way (clockwise): 2 px right -> 2 px below.
    assert.deepEqual(nonZeroPixels(run(marked(n, n, c, [[4, 6]]), n, n, c, { ...IDENTITY, angle: -half }), n, n, c), [[6, 4]]);
    // The centre pixel stays put under any angle (its neighbours get bilinear spill-over).
    const spun = run(marked(n, n, c, [[4, 4]]), n, n, c, { ...IDENTITY, angle: 0.3 });
    assert.ok(Math.abs(at(spun, n, c, 4, 4) - 255) < 1e-6, `centre ${at(spun, n, c, 4, 4)}`);
  });

  it('matches the Keras inverse maps (zoom -> rotation -> flip) applied in sequence, on a linear image', () => {
    // Bilinear interpolation reproduces a linear function exactly, so wherever the sampled point
    // lies inside the image, the output must equal the function at Keras' composed input point.
    const h = 15;
    const w = 21;
    const c = 2;
    const value = (x: number, y: number, k: number): number => 3 * x + 5 * y + 7 + 100 * k;
    const src = new Float32Array(h * w * c);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) src[(y * w + x) * c + k] = value(x, y, k);
    const cases: AugmentationParams[] = [
      { flip: false, angle: 0.4, zoomHeight: 0.15, zoomWidth: 0.15 },
      { flip: true, angle: -0.5, zoomHeight: -0.2, zoomWidth: -0.2 },
      { flip: true, angle: 0.2, zoomHeight: 0.1, zoomWidth: -0.1 },
    ];
    for (const p of cases) {
      const out = run(src, h, w, c, p);
      const cos = Math.cos(p.angle);
      const sin = Math.sin(p.angle);
      const zx = 1 + p.zoomWidth;
      const zy = 1 + p.zoomHeight;
      let checked = 0;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          // RandomZoom: get_zoom_matrix
          const x1 = zx * x + ((w - 1) / 2) * (1 - zx);
          const y1 = zy * y + ((h - 1) / 2) * (1 - zy);
          // RandomRotation: get_rotation_matrix
          const xOff = (w - 1 - (cos * (w - 1) - sin * (h - 1))) / 2;
          const yOff = (h - 1 - (sin * (w - 1) + cos * (h - 1))) / 2;
          const x2 = cos * x1 - sin * y1 + xOff;
          const y2 = sin * x1 + cos * y1 + yOff;
          // RandomFlip("horizontal")
          const x3 = p.flip ? w - 1 - x2 : x2;
          if (x3 < 0 || x3 > w - 1 || y2 < 0 || y2 > h - 1) continue;
          checked++;
          for (let k = 0; k < c; k++) {
            const got = at(out, w, c, y, x, k);
            assert.ok(Math.abs(got - value(x3, y2, k)) < 1e-3, `(${y},${x},${k}) got ${got}, want ${value(x3, y2, k)}`);
          }
        }
      }
      assert.ok(checked > (h * w) / 2, `checked ${checked} pixels`);
    }
  });

  it('zoom scales about the centre: factor -0.5 (scale 0.5) maps distance d to 2d', () => {
    const n = 21;
    const c = 3;
    const centre = 10;
    const src = new Float32Array(n * n * c);
    for (let r = 0; r < n; r++) {
      for (let col = 0; col < n; col++) {
        const d = Math.hypot(r - centre, col - centre);
        for (let k = 0; k < c; k++) src[(r * n + col) * c + k] = 10 + 7 * d + k;
      }
    }
    const out = run(src, n, n, c, { ...IDENTITY, zoomHeight: -0.5, zoomWidth: -0.5 });
    const distanceOf = (v: number): number => (v - 10) / 7;
    assert.equal(distanceOf(at(out, n, c, centre, centre)), 0);
    for (const [dr, dc] of [[0, 1], [0, 3], [-2, 0], [4, 0], [1, 1], [-2, 3], [3, -4]]) {
      const d = Math.hypot(dr, dc);
      const got = at(out, n, c, centre + 2 * dr, centre + 2 * dc);
      assert.ok(Math.abs(distanceOf(got) - d) < 1e-4, `output at distance ${2 * d} shows source distance ${distanceOf(got)}, want ${d}`);
      assert.equal(got, at(src, n, c, centre + dr, centre + dc));
    }
  });

  it('reflect fill: zooming out leaves no zero border and the border equals the reflected source', () => {
    const h = 9;
    const w = 11;
    const c = 3;
    const src = new Float32Array(h * w * c);
    for (let r = 0; r < h; r++) for (let col = 0; col < w; col++) for (let k = 0; k < c; k++) src[(r * w + col) * c + k] = 1 + r * w + col + 1000 * k;
    // Reflect about the edge of the last pixel: -1 -> 0, -2 -> 1, n -> n-1, n+1 -> n-2.
    const reflect = (i: number, n: number): number => (i < 0 ? -i - 1 : i >= n ? 2 * n - 1 - i : i);

    // Scale 2 (factor +1): output x samples cx + 2 (x - cx), integer positions, so exact values.
    const out = run(src, h, w, c, { ...IDENTITY, zoomHeight: 1, zoomWidth: 1 });
    assert.ok(out.every((v) => v !== 0), 'no zero pixels after zoom out');
    const cx = (w - 1) / 2; // 5
    const cy = (h - 1) / 2; // 4
    for (let r = 0; r < h; r++) {
      for (const col of [0, 1, w - 2, w - 1]) {
        const sr = reflect(cy + 2 * (r - cy), h);
        const sc = reflect(cx + 2 * (col - cx), w);
        for (let k = 0; k < c; k++) assert.equal(at(out, w, c, r, col, k), at(src, w, c, sr, sc, k), `pixel (${r},${col},${k})`);
      }
    }
    // Concretely: output (0, 0) samples (-4, -5) -> source (3, 4); output (8, 10) samples (12, 15) -> (5, 6).
    assert.equal(at(out, w, c, 0, 0), at(src, w, c, 3, 4));
    assert.equal(at(out, w, c, h - 1, w - 1), at(src, w, c, 5, 6));

    // Scale 1.1 (factor +0.1) on the column axis only: output col 0 samples x = 5 - 1.1 * 5 = -0.5,
    // between the mirrored copy of column 0 (at -1) and column 0 itself: the edge pixel, repeated.
    // Likewise col 10 samples 10.5: the last column, repeated.
    const edge = run(src, h, w, c, { ...IDENTITY, zoomWidth: 0.1 });
    // Scale 1.5 (factor +0.5): col 0 samples -2.5, between mirrored columns 2 (at -3) and 1 (at -2);
    // col 10 samples 12.5, between mirrored columns 9 (at 12) and 8 (at 13).
    const half = run(src, h, w, c, { ...IDENTITY, zoomWidth: 0.5 });
    for (let r = 0; r < h; r++) {
      for (let k = 0; k < c; k++) {
        assert.equal(at(edge, w, c, r, 0, k), at(src, w, c, r, 0, k));
        assert.equal(at(edge, w, c, r, w - 1, k), at(src, w, c, r, w - 1, k));
        assert.equal(at(half, w, c, r, 0, k), (at(src, w, c, r, 2, k) + at(src, w, c, r, 1, k)) / 2);
        assert.equal(at(half, w, c, r, w - 1, k), (at(src, w, c, r, 9, k) + at(src, w, c, r, 8, k)) / 2);
      }
    }
  });
});

describe('drawAugmentationParams', () => {
  it('draws Keras-like parameters for the seed config', () => {
    const rng = new Rng(20240601);
    const n = 10_000;
    const maxAngle = 0.1 * 2 * Math.PI;
    const bins = new Array<number>(10).fill(0);
    let flips = 0;
    let angleSum = 0;
    let zoomMin = Infinity;
    let zoomMax = -Infinity;
    for (let i = 0; i < n; i++) {
      const p = drawAugmentationParams(SEED_AUGMENTATION, rng);
      if (p.flip) flips++;
      assert.ok(Math.abs(p.angle) <= maxAngle, `angle ${p.angle}`);
      angleSum += p.angle;
      bins[Math.min(9, Math.floor(((p.angle + maxAngle) / (2 * maxAngle)) * 10))]++;
      assert.ok(p.zoomHeight >= -0.2 && p.zoomHeight <= 0.2, `zoom ${p.zoomHeight}`);
      assert.equal(p.zoomWidth, p.zoomHeight);
      zoomMin = Math.min(zoomMin, p.zoomHeight);
      zoomMax = Math.max(zoomMax, p.zoomHeight);
    }
    assert.ok(Math.abs(flips / n - 0.5) < 0.03, `flip rate ${flips / n}`);
    assert.ok(Math.abs(angleSum / n) < 0.02, `mean angle ${angleSum / n}`);
    for (const count of bins) assert.ok(Math.abs(count - n / 10) < 150, `angle histogram ${bins.join(',')}`);
    assert.ok(zoomMin < -0.19 && zoomMax > 0.19, `zoom range [${zoomMin}, ${zoomMax}]`);
  });

  it('is reproducible from the seed, and the "none" config leaves images alone', () => {
    const a = new Rng(7);
    const b = new Rng(7);
    for (let i = 0; i < 100; i++) assert.deepEqual(drawAugmentationParams(SEED_AUGMENTATION, a), drawAugmentationParams(SEED_AUGMENTATION, b));
    const off = drawAugmentationParams({ flip: 'none', rotation: 0, zoom: 0 }, new Rng(3));
    assert.equal(off.flip, false);
    assert.equal(Math.abs(off.angle), 0);
    assert.equal(Math.abs(off.zoomHeight), 0);
  });
});

describe('renderPixels (a batch made on the CPU from bytes and maps)', () => {
  const h = 6;
  const w = 7;
  const size = h * w * 3;
  const images = Uint8Array.from({ length: 4 * size }, (_, i) => (i * 53 + 7) % 256);

  it('samples each image through its own map, as augmentImage does with the params the maps came from', () => {
    const rng = new Rng(5);
    const params = [0, 1, 2, 3].map(() => drawAugmentationParams(SEED_AUGMENTATION, rng));
    const transforms = Float64Array.from(params.flatMap((p) => inverseAffine(p, h, w)));
    const rendered = renderPixels({ images, transforms }, { count: 4, height: h, width: w });
    params.forEach((p, i) => assert.deepEqual(rendered.subarray(i * size, (i + 1) * size), run(images.subarray(i * size, (i + 1) * size), h, w, 3, p)));
  });

  it('without maps copies the bytes exactly', () => {
    assert.deepEqual(renderPixels({ images, transforms: null }, { count: 4, height: h, width: w }), Float32Array.from(images));
  });

  it('refuses bytes that do not match the shape', () => {
    assert.throws(() => renderPixels({ images, transforms: null }, { count: 3, height: h, width: w }), /renderPixels: 504 bytes for 3 images of 6x7x3/);
  });

  it('slicePixels cuts images and maps at the same image, into buffers of their own', () => {
    const transforms = Float64Array.from({ length: 4 * 6 }, (_, i) => i / 10);
    const { pixels, transfer } = slicePixels({ images, transforms }, { start: 1, end: 3, pixelsPerImage: size });
    assert.ok(!(pixels instanceof Float32Array));
    assert.deepEqual(pixels.images, images.slice(size, 3 * size));
    assert.deepEqual(pixels.transforms, transforms.slice(6, 18));
    assert.equal(transfer.length, 2);
    assert.ok(transfer.every((buffer) => buffer !== images.buffer && buffer !== transforms.buffer));
    const floats = Float32Array.from(images);
    const floatSlice = slicePixels(floats, { start: 3, end: 4, pixelsPerImage: size });
    assert.deepEqual(floatSlice.pixels, floats.slice(3 * size));
  });
});

describe('pixelsTensor on wasm (a worker making its shard)', () => {
  it('samples bytes and maps straight into the tensor: the pixels renderPixels makes, and no tensor or wasm buffer left behind', async () => {
    await selectBackend('wasm');
    const h = 9;
    const w = 11;
    const images = Uint8Array.from({ length: 3 * h * w * 3 }, (_, i) => (i * 29 + 3) % 256);
    const rng = new Rng(4);
    const transforms = Float64Array.from([0, 1, 2].flatMap(() => inverseAffine(drawAugmentationParams(SEED_AUGMENTATION, rng), h, w)));
    const shape = { count: 3, height: h, width: w };
    for (const pixels of [{ images, transforms }, { images, transforms: null }]) {
      const tensor = pixelsTensor(pixels, shape);
      assert.deepEqual(tensor.shape, [3, h, w, 3]);
      assert.deepEqual(tensor.dataSync(), renderPixels(pixels, shape));
      tensor.dispose();
    }
    await assertNoLeak(() => void pixelsTensor({ images, transforms }, shape).dataSync());
  });
});

describe('gatherBatch (pixels made by the engine)', () => {
  const images = Uint8Array.from({ length: 3 * 7 * 9 * 3 }, (_, i) => (i * 37) % 256);
  const data = { count: 3, height: 7, width: 9, images, labels: new Int32Array([1, 0, 1]) };

  it('carries the bytes and labels of the batch, and the maps of the very draws assembleBatch augments with', () => {
    const indices = [2, 0];
    const device = gatherBatch({ data, indices, augmentation: SEED_AUGMENTATION, augmentationSeed: 11 });
    const cpu = assembleBatch({ data, indices, augmentation: SEED_AUGMENTATION, augmentationSeed: 11 });
    assert.deepEqual(device.labels, cpu.labels);
    assert.deepEqual(device.pixels.images, Uint8Array.from([...images.subarray(2 * 189, 3 * 189), ...images.subarray(0, 189)]));
    const rng = new Rng(11);
    const expected = indices.flatMap(() => inverseAffine(drawAugmentationParams(SEED_AUGMENTATION, rng), 7, 9));
    // The maps exactly, in double precision: sampled on the CPU they give augmentImage's pictures of those draws.
    assert.deepEqual(Array.from(device.pixels.transforms ?? []), expected);
    const draws = new Rng(11);
    const pictures = indices.map((index) => run(images.subarray(index * 189, (index + 1) * 189), 7, 9, 3, drawAugmentationParams(SEED_AUGMENTATION, draws)));
    assert.deepEqual(cpu.pixels, Float32Array.from(pictures.flatMap((p) => Array.from(p))));
  });

  it('no augmentation: no maps (the device copies the bytes)', () => {
    assert.equal(gatherBatch({ data, indices: [1] }).pixels.transforms, null);
  });

  it('rejects an out-of-range config before drawing', () => {
    assert.throws(() => gatherBatch({ data, indices: [1], augmentation: { flip: 'horizontal', rotation: -0.1, zoom: 0.2 } }), /rotation/);
    assert.throws(() => assembleBatch({ data, indices: [1], augmentation: { flip: 'horizontal', rotation: 0.1, zoom: 1.5 } }), /zoom/);
  });
});

describe('writeAugmentationPreview', () => {
  it('writes 9 PNGs and a 3x3 grid with 4-px gaps', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'augmentation-preview-'));
    try {
      const h = 20;
      const w = 30;
      const image = Uint8Array.from(randomImage(h, w, 3, 4), (v) => Math.round(v));
      const outDir = path.join(dir, 'preview');
      const result = await writeAugmentationPreview({ image, height: h, width: w, count: 9, config: SEED_AUGMENTATION, seed: 42, outDir, grid: true });
      assert.equal(result.files.length, 9);
      assert.deepEqual(result.files.map((f) => path.basename(f)), Array.from({ length: 9 }, (_, i) => `augmented-${i + 1}.png`));
      for (const file of result.files) {
        const meta = await sharp(file).metadata();
        assert.equal(meta.format, 'png');
        assert.equal(meta.width, w);
        assert.equal(meta.height, h);
      }
      assert.equal(result.gridFile, path.join(outDir, 'grid.png'));
      const gridMeta = await sharp(result.gridFile!).metadata();
      assert.equal(gridMeta.width, 3 * w + 2 * 4);
      assert.equal(gridMeta.height, 3 * h + 2 * 4);
      assert.deepEqual(fs.readdirSync(outDir).sort(), [...result.files.map((f) => path.basename(f)), 'grid.png'].sort());
      assert.deepEqual(fs.readdirSync(dir), ['preview']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
