/**
 * The built-in demo data set, for people without images of their own: `spots.N.png` and `stripes.N.png`
 * (N from 1) in the flat Kaggle layout, so the normal prepare + train pipeline runs on it.
 *
 * Each picture has one object (an ellipse or a rounded rectangle, for either class) patterned with spots or
 * with stripes, at a random position, scale, rotation and pattern angle, sometimes partly cut off, lit from a
 * random side with a drop shadow (so a left/right flip gives a new picture); random colours; on a gradient
 * background with blotches and faint stripes, among distractor triangles, bars and crosses (one sometimes
 * drawn over the object), plus pixel noise: the kind of variety a small photo set has, and that augmentation
 * is meant to cover.
 *
 * The classes differ the way polka dots differ from awning stripes: the spots are small and many (a fine,
 * busy texture), the stripes are broad bands (about 3-6 across the object), and the pattern always contrasts
 * strongly with the object. The seed's from-scratch convnet at 80 px picks that up within about a hundred
 * training steps (a fine spotted texture against equally fine stripes took it many hundreds, longer than a
 * demo should run).
 *
 * Deterministic: image N of a class depends only on (seed, class, N, size), so the same options give
 * byte-identical files.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { tempFileName, tempFileTarget } from '../../shared/tempFiles';
import { UserError } from '../util/errors';
import { Rng, deriveSeed } from '../util/rng';
import { makeDirectory } from '../util/makeDirectory';

export const DEMO_CLASSES: readonly string[] = ['spots', 'stripes'];

export interface DemoSourceOptions {
  dir: string;
  perClass: number;
  /** Width and height of every image in pixels. */
  size: number;
  seed: number;
}

type Rgb = [number, number, number];

/** A float RGB picture, 0..255 per channel, row-major. */
interface Canvas {
  size: number;
  pixels: Float32Array;
}

/** Returns true where a point (in pixels) is inside the shape. */
type InsideTest = (x: number, y: number) => boolean;

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

const SUPERSAMPLES = 3;
const WRITE_CONCURRENCY = 4;

function clamp(value: number, lo: number, hi: number): number {
  return value < lo ? lo : value > hi ? hi : value;
}

function randomColour(rng: Rng): Rgb {
  return [rng.uniform(25, 230), rng.uniform(25, 230), rng.uniform(25, 230)];
}

function luminance(c: Rgb): number {
  return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
}

/** Pushes a colour away from `against` until their luminance differs by at least `minDiff`. */
function contrasting(colour: Rgb, against: Rgb, minDiff: number): Rgb {
  const diff = luminance(colour) - luminance(against);
  if (Math.abs(diff) >= minDiff) return colour;
  const shift = (diff >= 0 && luminance(against) + minDiff <= 235) || luminance(against) - minDiff < 20 ? minDiff - diff : -minDiff - diff;
  return colour.map((v) => clamp(v + shift, 0, 255)) as Rgb;
}

/** A colour whose luminance differs from that of `against` by `diff` (lighter or darker, whichever fits). */
function withContrast(colour: Rgb, against: Rgb, diff: number, rng: Rng): Rgb {
  const base = luminance(against);
  const lighter = base + diff <= 240;
  const darker = base - diff >= 15;
  const sign = lighter && darker ? (rng.next() < 0.5 ? 1 : -1) : lighter ? 1 : darker ? -1 : base < 128 ? 1 : -1;
  const shift = base + sign * diff - luminance(colour);
  return colour.map((v) => clamp(v + shift, 0, 255)) as Rgb;
}

/**
 * Paints `colour(x, y)` over the pixels inside the shape, with anti-aliased edges (supersampled), opacity `alpha`.
 * With `smooth`, the colour is averaged over the samples too (for a patterned fill). Only the bounding box is visited.
 */
function paint(options: { canvas: Canvas; inside: InsideTest; box: Box; colour: (x: number, y: number) => Rgb; alpha: number; smooth?: boolean }): void {
  const { canvas, inside, box, colour, alpha, smooth = false } = options;
  const { size, pixels } = canvas;
  const x0 = Math.max(0, Math.floor(box.x0));
  const y0 = Math.max(0, Math.floor(box.y0));
  const x1 = Math.min(size - 1, Math.ceil(box.x1));
  const y1 = Math.min(size - 1, Math.ceil(box.y1));
  const step = 1 / SUPERSAMPLES;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      let hits = 0;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let sy = 0; sy < SUPERSAMPLES; sy++) {
        for (let sx = 0; sx < SUPERSAMPLES; sx++) {
          const px = x + (sx + 0.5) * step;
          const py = y + (sy + 0.5) * step;
          if (!inside(px, py)) continue;
          hits++;
          if (smooth) {
            const s = colour(px, py);
            r += s[0];
            g += s[1];
            b += s[2];
          }
        }
      }
      if (hits === 0) continue;
      const a = (alpha * hits) / (SUPERSAMPLES * SUPERSAMPLES);
      const c = smooth ? [r / hits, g / hits, b / hits] : colour(x + 0.5, y + 0.5);
      const i = (y * size + x) * 3;
      pixels[i] += (c[0] - pixels[i]) * a;
      pixels[i + 1] += (c[1] - pixels[i + 1]) * a;
      pixels[i + 2] += (c[2] - pixels[i + 2]) * a;
    }
  }
}

/** Smooth random field in about [-1, 1]: bilinear interpolation of a coarse grid of random values. */
function smoothField(rng: Rng, size: number, cells: number): (x: number, y: number) => number {
  const grid = Array.from({ length: (cells + 1) * (cells + 1) }, () => rng.uniform(-1, 1));
  return (x, y) => {
    const gx = (x / size) * cells;
    const gy = (y / size) * cells;
    const ix = Math.min(cells - 1, Math.floor(gx));
    const iy = Math.min(cells - 1, Math.floor(gy));
    const fx = gx - ix;
    const fy = gy - iy;
    const row = iy * (cells + 1) + ix;
    const below = row + cells + 1;
    const top = grid[row] * (1 - fx) + grid[row + 1] * fx;
    const bottom = grid[below] * (1 - fx) + grid[below + 1] * fx;
    return top * (1 - fy) + bottom * fy;
  };
}

/** Gradient between two colours at a random angle, random blotches, faint stripes. Returns the mean colour. */
function paintBackground(canvas: Canvas, rng: Rng): Rgb {
  const { size, pixels } = canvas;
  const from = randomColour(rng);
  const to = randomColour(rng);
  const angle = rng.uniform(0, 2 * Math.PI);
  const gx = Math.cos(angle);
  const gy = Math.sin(angle);
  const blotches = [smoothField(rng, size, 3 + rng.int(4)), smoothField(rng, size, 3 + rng.int(4)), smoothField(rng, size, 3 + rng.int(4))];
  const blotchAmount = rng.uniform(8, 30);
  const stripeAmount = rng.next() < 0.3 ? rng.uniform(3, 10) : 0;
  const stripeAngle = rng.uniform(0, Math.PI);
  const stripePeriod = rng.uniform(0.05, 0.2) * size;
  const sx = Math.cos(stripeAngle);
  const sy = Math.sin(stripeAngle);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const t = clamp(0.5 + ((x / size - 0.5) * gx + (y / size - 0.5) * gy), 0, 1);
      const stripe = stripeAmount * Math.sin((2 * Math.PI * (x * sx + y * sy)) / stripePeriod);
      const i = (y * size + x) * 3;
      for (let k = 0; k < 3; k++) {
        pixels[i + k] = from[k] + (to[k] - from[k]) * t + blotchAmount * blotches[k](x, y) + stripe;
      }
    }
  }
  return [(from[0] + to[0]) / 2, (from[1] + to[1]) / 2, (from[2] + to[2]) / 2];
}

/** Unit ellipse or unit rounded rectangle (corner radius `rounding` of the half-size). */
function unitShapeTest(outline: 'ellipse' | 'rectangle', rounding: number): (u: number, v: number) => boolean {
  if (outline === 'ellipse') return (u, v) => u * u + v * v <= 1;
  const inner = 1 - rounding;
  return (u, v) => {
    const qu = Math.abs(u) - inner;
    const qv = Math.abs(v) - inner;
    if (qu > rounding || qv > rounding) return false;
    if (qu <= 0 || qv <= 0) return true;
    return qu * qu + qv * qv <= rounding * rounding;
  };
}

function segmentTest(options: { ax: number; ay: number; bx: number; by: number; width: number }): InsideTest {
  const { ax, ay, bx, by, width } = options;
  const lx = bx - ax;
  const ly = by - ay;
  const lengthSquared = lx * lx + ly * ly || 1;
  const limit = (width / 2) * (width / 2);
  return (x, y) => {
    const t = clamp(((x - ax) * lx + (y - ay) * ly) / lengthSquared, 0, 1);
    const dx = x - (ax + t * lx);
    const dy = y - (ay + t * ly);
    return dx * dx + dy * dy <= limit;
  };
}

function triangleTest(p: [number, number][]): InsideTest {
  const [[ax, ay], [bx, by], [cx, cy]] = p;
  const edge = (x0: number, y0: number, x1: number, y1: number, x: number, y: number): number => (x1 - x0) * (y - y0) - (y1 - y0) * (x - x0);
  return (x, y) => {
    const d1 = edge(ax, ay, bx, by, x, y);
    const d2 = edge(bx, by, cx, cy, x, y);
    const d3 = edge(cx, cy, ax, ay, x, y);
    return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
  };
}

/** A plain triangle, bar or cross (never spotted or striped), up to `maxSize` across. */
function paintDistractor(options: { canvas: Canvas; rng: Rng; maxSize: number; background: Rgb }): void {
  const { canvas, rng, maxSize, background } = options;
  const { size } = canvas;
  const cx = rng.uniform(0, size);
  const cy = rng.uniform(0, size);
  const extent = rng.uniform(0.35, 1) * maxSize;
  const colour = contrasting(randomColour(rng), background, 25);
  const alpha = rng.uniform(0.5, 0.9);
  const box = { x0: cx - extent, y0: cy - extent, x1: cx + extent, y1: cy + extent };
  const kind = rng.int(3);
  let inside: InsideTest;
  if (kind === 0) {
    const start = rng.uniform(0, 2 * Math.PI);
    const corners: [number, number][] = [0, 1, 2].map((k) => {
      const a = start + (k * 2 * Math.PI) / 3 + rng.uniform(-0.5, 0.5);
      const r = extent * rng.uniform(0.5, 1);
      return [cx + r * Math.cos(a), cy + r * Math.sin(a)];
    });
    inside = triangleTest(corners);
  } else {
    const a = rng.uniform(0, Math.PI);
    const half = extent;
    const width = rng.uniform(0.08, 0.2) * extent + 1;
    const bar = (angle: number): InsideTest =>
      segmentTest({
        ax: cx - half * Math.cos(angle),
        ay: cy - half * Math.sin(angle),
        bx: cx + half * Math.cos(angle),
        by: cy + half * Math.sin(angle),
        width,
      });
    const first = bar(a);
    if (kind === 1) {
      inside = first;
    } else {
      const second = bar(a + Math.PI / 2 + rng.uniform(-0.3, 0.3));
      inside = (x, y) => first(x, y) || second(x, y);
    }
  }
  paint({ canvas, inside, box, colour: () => colour, alpha });
}

/** Paint pattern of a class, in the object's pattern frame (p, q in pixels): true where the second colour goes. */
function patternTest(options: { kind: string; rng: Rng; size: number }): (p: number, q: number) => boolean {
  const { kind, rng, size } = options;
  if (kind === 'stripes') {
    // Broad bands: a period of 14-30% of the picture (about 3-6 stripes across the object); duty cycle 40-60%.
    const period = rng.uniform(0.14, 0.3) * size;
    const threshold = rng.uniform(-0.3, 0.3);
    return (p) => Math.sin((2 * Math.PI * p) / period) > threshold;
  }
  // Small dots: a spacing of 6-11% of the picture (5-9 px at 80 px, about 4 px after zooming out by 20%), on a
  // square or staggered lattice, each dot radius 26-36% of the spacing.
  const period = rng.uniform(0.06, 0.11) * size;
  const radius = rng.uniform(0.26, 0.36);
  const limit = radius * radius;
  const stagger = rng.next() < 0.5 ? 0.5 : 0;
  return (p, q) => {
    const row = q / period;
    const rowIndex = Math.round(row);
    const col = p / period + (rowIndex % 2 === 0 ? 0 : stagger);
    const dx = col - Math.round(col);
    const dy = row - rowIndex;
    return dx * dx + dy * dy <= limit;
  };
}

/**
 * The class's object: an ellipse or rounded rectangle (either class) patterned with stripes or spots,
 * at a random position, scale, rotation and pattern angle, lit from a random side with a drop shadow.
 */
function paintMainObject(options: { canvas: Canvas; rng: Rng; kind: string; background: Rgb }): void {
  const { canvas, rng, kind, background } = options;
  const { size } = canvas;
  const r = rng.uniform(0.36, 0.45) * size;
  const aspect = Math.exp(rng.uniform(-0.35, 0.35));
  const outline = rng.next() < 0.5 ? 'ellipse' : 'rectangle';
  const base = outline === 'ellipse' ? r : (r * Math.sqrt(Math.PI)) / 2;
  const halfW = base * Math.sqrt(aspect);
  const halfH = base / Math.sqrt(aspect);
  // Anywhere; up to ~20% of the object may leave the picture.
  const margin = 0.6 * r;
  const cx = rng.uniform(margin, size - margin);
  const cy = rng.uniform(margin, size - margin);
  const angle = rng.uniform(0, Math.PI);
  const unitInside = unitShapeTest(outline, rng.uniform(0, 0.4));
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  // Into the object's own frame: centred, rotated back, scaled to unit half-sizes.
  const inside: InsideTest = (x, y) => {
    const dx = x - cx;
    const dy = y - cy;
    return unitInside((dx * cos + dy * sin) / halfW, (-dx * sin + dy * cos) / halfH);
  };
  const reach = Math.max(halfW, halfH) * Math.SQRT2 + 2;
  const box = (dx: number, dy: number): Box => ({ x0: cx + dx - reach, y0: cy + dy - reach, x1: cx + dx + reach, y1: cy + dy + reach });

  // Light from one random side: the shadow falls to the other side, the shading brightens the lit side.
  const light = rng.uniform(0, 2 * Math.PI);
  const lx = Math.cos(light);
  const ly = Math.sin(light);
  const shadowDistance = rng.uniform(0.06, 0.2) * r;
  const sdx = -lx * shadowDistance;
  const sdy = -ly * shadowDistance;
  const shadowColour: Rgb = [background[0] * 0.35, background[1] * 0.35, background[2] * 0.35];
  paint({ canvas, inside: (x, y) => inside(x - sdx, y - sdy), box: box(sdx, sdy), colour: () => shadowColour, alpha: rng.uniform(0.3, 0.6) });

  const colour = contrasting(randomColour(rng), background, 50);
  // A colour between a random one and the object's, 100-130 levels of luminance lighter or darker than the object.
  const tint = randomColour(rng);
  const patternColour = withContrast([(tint[0] + colour[0]) / 2, (tint[1] + colour[1]) / 2, (tint[2] + colour[2]) / 2], colour, rng.uniform(100, 130), rng);
  const shade = rng.uniform(0.1, 0.35);
  const patternAngle = rng.uniform(0, Math.PI);
  const pc = Math.cos(patternAngle);
  const ps = Math.sin(patternAngle);
  const phase = rng.uniform(0, r);
  const pattern = patternTest({ kind, rng, size });
  const fill = (x: number, y: number): Rgb => {
    const lit = 1 + shade * (((x - cx) * lx + (y - cy) * ly) / r);
    const dx = x - cx + phase;
    const dy = y - cy + phase;
    const c = pattern(dx * pc + dy * ps, -dx * ps + dy * pc) ? patternColour : colour;
    return [c[0] * lit, c[1] * lit, c[2] * lit];
  };
  paint({ canvas, inside, box: box(0, 0), colour: fill, alpha: 1, smooth: true });
}

/** One demo picture as 8-bit RGB bytes. */
export function renderDemoImage(options: { kind: string; size: number; seed: number }): Uint8Array {
  const { kind, size } = options;
  const rng = new Rng(options.seed);
  const canvas: Canvas = { size, pixels: new Float32Array(size * size * 3) };
  const background = paintBackground(canvas, rng);
  const behind = 1 + rng.int(2);
  for (let i = 0; i < behind; i++) paintDistractor({ canvas, rng, maxSize: 0.16 * size, background });
  paintMainObject({ canvas, rng, kind, background });
  const over = rng.next() < 0.3 ? 1 : 0;
  for (let i = 0; i < over; i++) paintDistractor({ canvas, rng, maxSize: 0.08 * size, background });
  const noise = rng.uniform(2, 5);
  const out = new Uint8Array(size * size * 3);
  for (let i = 0; i < out.length; i++) out[i] = clamp(Math.round(canvas.pixels[i] + noise * rng.normal()), 0, 255);
  return out;
}

async function encodePng(pixels: Uint8Array, size: number): Promise<Buffer> {
  return sharp(pixels, { raw: { width: size, height: size, channels: 3 } })
    .png({ compressionLevel: 6, adaptiveFiltering: false })
    .toBuffer();
}

function fileName(className: string, n: number): string {
  return `${className}.${n}.png`;
}

function imageSeed(seed: number, classIndex: number, n: number): number {
  return deriveSeed(seed, classIndex, n);
}

async function demoPng(options: { seed: number; classIndex: number; n: number; size: number }): Promise<Buffer> {
  const { seed, classIndex, n, size } = options;
  return encodePng(renderDemoImage({ kind: DEMO_CLASSES[classIndex], size, seed: imageSeed(seed, classIndex, n) }), size);
}

const DEMO_FILE = /^(?:spots|stripes)\.\d+\.png$/;

/** A demo image, or one being written (its temporary name: shared/tempFiles.ts). */
function isDemoFileOrTemporary(name: string): boolean {
  return DEMO_FILE.test(tempFileTarget(name) ?? name);
}

function checkOptions(options: DemoSourceOptions): void {
  if (!Number.isSafeInteger(options.perClass) || options.perClass < 1) {
    throw new UserError('bad-setting', `The demo image count ${options.perClass} is not valid: use a whole number of at least 1 per class.`);
  }
  if (!Number.isSafeInteger(options.size) || options.size < 16 || options.size > 1024) {
    throw new UserError('bad-setting', `The demo image size ${options.size} is not valid: use a whole number of pixels from 16 to 1024.`);
  }
  if (!Number.isFinite(options.seed)) {
    throw new UserError('bad-setting', `The demo seed ${options.seed} is not valid: use a whole number.`);
  }
}

/** True when `dir` holds exactly the expected names and a few sample files match what would be generated. */
async function isAlreadyGenerated(options: DemoSourceOptions & { names: string[]; expected: Set<string> }): Promise<boolean> {
  const { dir, names, expected, perClass, seed, size } = options;
  if (names.length !== expected.size || !names.every((name) => expected.has(name))) return false;
  for (let classIndex = 0; classIndex < DEMO_CLASSES.length; classIndex++) {
    for (const n of new Set([1, perClass])) {
      const onDisk = await fs.readFile(path.join(dir, fileName(DEMO_CLASSES[classIndex], n)));
      if (!onDisk.equals(await demoPng({ seed, classIndex, n, size }))) return false;
    }
  }
  return true;
}

/** Writes `perClass` images per class into `dir` (flat layout); does nothing if they are already there. */
export async function generateDemoSource(options: DemoSourceOptions): Promise<{ dir: string; classes: string[] }> {
  checkOptions(options);
  const dir = path.resolve(options.dir);
  const { perClass, size, seed } = options;
  const classes = DEMO_CLASSES.slice();
  const expected = new Set<string>();
  for (const className of classes) for (let n = 1; n <= perClass; n++) expected.add(fileName(className, n));

  let names: string[] = [];
  try {
    names = await fs.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const foreign = names.filter((name) => !isDemoFileOrTemporary(name));
  if (foreign.length > 0) {
    throw new UserError(
      'target-not-empty',
      `The demo data folder ${dir} holds other files (${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ', ...' : ''}). ` +
        'Choose an empty folder for the demo images, or remove those files.',
    );
  }
  if (await isAlreadyGenerated({ ...options, dir, names, expected })) return { dir, classes };

  makeDirectory(dir);
  for (const name of names) {
    if (!expected.has(name)) await fs.rm(path.join(dir, name), { force: true });
  }
  const jobs: { classIndex: number; n: number }[] = [];
  for (let classIndex = 0; classIndex < classes.length; classIndex++) {
    for (let n = 1; n <= perClass; n++) jobs.push({ classIndex, n });
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const { classIndex, n } = jobs[next++];
      const name = fileName(classes[classIndex], n);
      const png = await demoPng({ seed, classIndex, n, size });
      const temporary = path.join(dir, tempFileName(name, process.pid));
      await fs.writeFile(temporary, png);
      await fs.rename(temporary, path.join(dir, name));
    }
  };
  await Promise.all(Array.from({ length: WRITE_CONCURRENCY }, () => worker()));
  return { dir, classes };
}
