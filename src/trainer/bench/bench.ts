/**
 * `npm run bench`: speed of a training step of the seed's Model 2 (180x180, batch 32) on every
 * backend that loads here, the share of each kernel in a step, each convolution's time and GFLOP/s with the
 * direct and Winograd kernels against the core's SIMD peak (./convLayerTable.ts), one worker's step for pools of
 * 1 to 16 workers (./shardScaling.ts), the portable engine (wasm in worker
 * threads) per step and per epoch of 2,000 images, and the same in PyTorch when /usr/bin/python3
 * has torch (in its faster memory layout of NCHW and channels_last, both printed), with every ratio measured
 * in this one run. WebGPU gets a row whenever an adapter exists
 * (one step, labelled, on a CPU emulation such as SwiftShader); on a real GPU, its engine's epoch too,
 * printed just before the last line as `webgpu epoch seconds = S`. Last line:
 *   portable step / pytorch step = R
 * Options: --cpu (also time the pure-JS backend: minutes per step), --quick (skip the epochs).
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { SEED_AUGMENTATION } from '../data/augmentation';
import { isCpuEmulation, selectBackend, type BackendChoice } from '../backend/selectBackend';
import { createEngine, defaultWorkerCount } from '../engine/createEngine';
import type { BatchPixels } from '../engine/devicePixels';
import { exampleSeeds } from '../engine/dropoutMask';
import { TrainingCore } from '../engine/trainingCore';
import type { ModelOptions } from '../model/buildModel';
import { assembleBatch, batchAssembler, gatherBatch } from '../train/batches';
import { convLayerTable } from './convLayerTable';
import { measureShards, shardTable } from './shardScaling';
import { median, medianMs } from './timing';
import { CancelToken } from '../train/cancellation';
import { fit } from '../train/fit';
import { Rng } from '../util/rng';
import type { BackendName } from '../../shared/trainerProtocol';

const SIZE = 180;
const BATCH = 32;
const TRAIN_COUNT = 2000;
const VALIDATION_COUNT = 1000;
/** Pool sizes of the shard table (./shardScaling.ts): users' machines have 8-16 cores. */
const SHARD_TABLE_WORKERS = [1, 2, 4, 8, 16];
const MODEL: ModelOptions = { recipe: 'augmented', imageSize: SIZE, numClasses: 2, seed: 1 };

function log(text: string): void {
  process.stdout.write(text + '\n');
}

function randomImages(count: number, seed: number) {
  const rng = new Rng(seed);
  const images = new Uint8Array(count * SIZE * SIZE * 3);
  for (let i = 0; i < images.length; i++) images[i] = rng.int(256);
  const labels = Int32Array.from({ length: count }, (_, i) => i % 2);
  return { count, height: SIZE, width: SIZE, images, labels };
}

interface InProcessResult {
  backend: BackendName;
  forwardMs: number;
  stepMs: number;
  kernels: { name: string; ms: number }[];
}

/** One thread, one replica: forward pass and training step, median of `repeats` after a warm-up (and a kernel profile unless told not to). */
async function measureInProcess(choice: BackendChoice, repeats: number, options: { profile: boolean } = { profile: true }): Promise<InProcessResult> {
  const core = new TrainingCore({ model: MODEL, optimizer: { learningRate: 1e-3 } });
  const data = randomImages(BATCH, 1);
  const batch = assembleBatch({ data, indices: [...Array(BATCH).keys()], augmentation: SEED_AUGMENTATION, augmentationSeed: 1 });
  const seeds = exampleSeeds({ seed: 1, epoch: 1, batch: 0, size: BATCH });
  // Gradients applied in place and the loss read back: what one replica does on every backend.
  const step = () => core.trainStep({ ...batch, seeds, batchSize: BATCH });
  const forward = () => core.predict({ pixels: batch.pixels, size: BATCH });
  await forward();
  const forwardMs = await medianMs(forward, repeats);
  await step();
  const stepMs = await medianMs(step, repeats);
  const byKernel = new Map<string, number>();
  if (options.profile) {
    // On webgpu, kernel times come from GPU timestamp queries when the adapter has them.
    const profile = await tf.profile(async () => {
      await step();
    });
    // Only registered kernels: a custom op (convBiasRelu's "forward") appears too, and its time includes its kernels'.
    const backend = tf.getBackend();
    for (const k of profile.kernels) {
      if (tf.getKernel(k.name, backend) !== undefined) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + Number(k.kernelTimeMs));
    }
  }
  core.dispose();
  const kernels = [...byKernel].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms);
  return { backend: choice.backend, forwardMs, stepMs, kernels };
}

/**
 * The product's engine on `choice` (wasm: worker threads; webgpu: the GPU from this thread), stepping through
 * batches with the next one prepared meanwhile, then (unless --quick) a whole epoch with validation.
 */
/**
 * Steps of a fresh engine before the timed ones: a worker pool's first steps run 20-40% slower than its steady
 * state (its heap growing, code warming up: 898, 801, 717 ... 650 ms per step on the 2-core EPYC, 2026-12-06),
 * which a single warm-up step left in the median.
 */
const ENGINE_WARM_UP_STEPS = 4;

async function measureEngine(options: { choice: BackendChoice; steps: number; epoch: boolean }) {
  const { choice } = options;
  const startedEngine = await createEngine({ choice, model: MODEL, optimizer: { learningRate: 1e-3 } });
  const { engine, choice: started } = startedEngine;
  try {
    const train = randomImages(options.epoch ? TRAIN_COUNT : BATCH * 2, 2);
    const times: number[] = [];
    // The next batch made meanwhile, as fit() does: bytes and maps for the workers or the GPU to sample.
    const assemble = batchAssembler(engine);
    let next: { pixels: BatchPixels; labels: Float32Array } = assemble({ data: train, indices: [...Array(BATCH).keys()], augmentation: SEED_AUGMENTATION, augmentationSeed: 0 });
    for (let s = 0; s < ENGINE_WARM_UP_STEPS + options.steps; s++) {
      const start = performance.now();
      const current = next;
      const pending = engine.trainStep({ pixels: current.pixels, labels: current.labels, size: BATCH, seeds: exampleSeeds({ seed: 1, epoch: 1, batch: s, size: BATCH }) });
      next = assemble({ data: train, indices: [...Array(BATCH).keys()].map((i) => (i + s * BATCH) % train.count), augmentation: SEED_AUGMENTATION, augmentationSeed: s + 1 });
      await pending;
      if (s >= ENGINE_WARM_UP_STEPS) times.push(performance.now() - start);
    }
    const forwardTimes: number[] = [];
    for (let s = 0; s < 4; s++) {
      const start = performance.now();
      await engine.predict({ pixels: next.pixels, size: BATCH });
      if (s > 0) forwardTimes.push(performance.now() - start);
    }
    let epochSeconds: number | null = null;
    /** Where the epoch's seconds went: its training batches (steps, and the batches made meanwhile) and validation. */
    let epochSplit: { training: number; validation: number } | null = null;
    if (options.epoch) {
      const start = performance.now();
      let trainingEnd = start;
      await fit({
        engine,
        train,
        validation: randomImages(VALIDATION_COUNT, 3),
        numClasses: 2,
        epochs: 1,
        batchSize: BATCH,
        seed: 1,
        augmentation: SEED_AUGMENTATION,
        cancel: new CancelToken(),
        callbacks: [{ name: 'epoch-split', onBatchEnd: (event) => void (event.batch === event.batches && (trainingEnd = performance.now())) }],
      });
      const end = performance.now();
      epochSeconds = (end - start) / 1000;
      epochSplit = { training: (trainingEnd - start) / 1000, validation: (end - trainingEnd) / 1000 };
    }
    return { detail: started.detail, workers: engine.workers, stepMs: median(times), forwardMs: median(forwardTimes), epochSeconds, epochSplit };
  } finally {
    await startedEngine.dispose();
  }
}

interface TorchResult {
  torch: string;
  threads: number;
  /** "cpu", or the CUDA device's name. */
  device: string;
  params: number;
  /** Both memory layouts' step and forward pass. */
  layouts: Record<TorchLayout, { step_ms: number; forward_ms: number }>;
  /** The faster layout: its step and forward below, and the epoch timed in it. */
  layout: TorchLayout;
  step_ms: number;
  forward_ms: number;
  epoch_s: number;
  /** The epoch's training steps and validation passes, in seconds. */
  epoch_train_s: number;
  epoch_validation_s: number;
}

type TorchLayout = 'nchw' | 'channels_last';

/** "step 1,028 ms (NCHW 1,274 ms), forward ..." : the faster layout's numbers first, the other's for comparison. */
function torchLayouts(result: TorchResult): string {
  const other: TorchLayout = result.layout === 'nchw' ? 'channels_last' : 'nchw';
  const slower = result.layouts[other];
  return `fastest layout ${result.layout}: step ${result.step_ms.toFixed(0)} ms, forward ${result.forward_ms.toFixed(0)} ms (${other}: step ${slower.step_ms.toFixed(0)} ms, forward ${slower.forward_ms.toFixed(0)} ms)`;
}

/** The first python3 that imports torch: Debian's /usr/bin/python3 (python3-torch), or the one on PATH (e.g. a CUDA build). */
function pythonWithTorch(options: { cuda: boolean }): string | null {
  const check = options.cuda ? 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' : 'import torch';
  for (const python of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(python, ['-c', check], { encoding: 'utf8' }).status === 0) return python;
  }
  return null;
}

function measurePytorch(options: { epoch: boolean; device: 'cpu' | 'cuda' }): TorchResult | string {
  const cuda = options.device === 'cuda';
  const python = pythonWithTorch({ cuda });
  if (python === null) {
    return cuda ? 'no python3 here has PyTorch with CUDA' : 'torch is not installed for /usr/bin/python3 or python3 (Debian: apt-get install python3-torch)';
  }
  const script = join(__dirname, 'pytorch_step.py');
  const args = [script, String(defaultWorkerCount()), String(SIZE), String(BATCH), String(options.epoch ? TRAIN_COUNT : BATCH), String(options.epoch ? VALIDATION_COUNT : BATCH), options.device];
  const run = spawnSync(python, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (run.status !== 0) return `the PyTorch benchmark failed: ${run.stderr.trim().split('\n').at(-1)}`;
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as TorchResult;
}

function ratio(a: number, b: number | undefined): string {
  return b === undefined ? 'n/a' : (a / b).toFixed(2);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  log(`Small Convnet benchmark: Model 2 (991,041 parameters), ${SIZE}x${SIZE}, batch ${BATCH}`);
  log(`Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}`);
  log('');

  const torch = measurePytorch({ epoch: !quick, device: 'cpu' });
  const torchStep = typeof torch === 'string' ? undefined : torch.step_ms;
  if (typeof torch === 'string') log(`PyTorch: ${torch}`);
  else log(`PyTorch ${torch.torch}, ${torch.threads} threads, ${torchLayouts(torch)}` + (quick ? '' : `; epoch of ${TRAIN_COUNT} + ${VALIDATION_COUNT} validation images in ${torch.layout} ${torch.epoch_s.toFixed(1)} s`));
  if (typeof torch !== 'string') log('Every "x PyTorch" below is against its fastest layout.');
  log('');

  // The main thread's share of a batch: gathering its bytes and drawing its maps (the worker pool and WebGPU make
  // the pixels themselves), against augmenting the whole batch on one thread (what each worker now does for its shard).
  const images = randomImages(BATCH, 4);
  const indices = [...Array(BATCH).keys()];
  const timeBatches = async () => ({
    gatherMs: await medianMs(async () => gatherBatch({ data: images, indices, augmentation: SEED_AUGMENTATION, augmentationSeed: 1 }), 9),
    augmentMs: await medianMs(async () => assembleBatch({ data: images, indices, augmentation: SEED_AUGMENTATION, augmentationSeed: 1 }), 9),
    copyMs: await medianMs(async () => assembleBatch({ data: images, indices }), 9),
  });
  // The first round runs cold (code not yet optimized, fresh pages): 8.7 ms for what takes 0.3 once warm.
  await timeBatches();
  const { gatherMs, augmentMs, copyMs } = await timeBatches();
  log(`CPU, 1 thread, a batch of ${BATCH}: bytes and augmentation maps ${gatherMs.toFixed(1)} ms (the main thread's share); augmented pixels (flip, rotation, zoom) ${augmentMs.toFixed(1)} ms, plain copy ${copyMs.toFixed(1)} ms (made by each worker for its shard, or by WebGPU on the GPU)`);
  log('');

  const backends: BackendName[] = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', ...(argv.includes('--cpu') ? (['cpu'] as const) : [])];
  const results: InProcessResult[] = [];
  let gpu: BackendChoice | null = null;
  for (const name of backends) {
    let choice: BackendChoice;
    try {
      choice = await selectBackend(name);
    } catch (error) {
      log(`${name}: not available (${(error as Error).message.split('\n')[0]})`);
      continue;
    }
    const emulated = isCpuEmulation(choice);
    if (name === 'webgpu') {
      log(`webgpu: ${choice.detail}`);
      if (!emulated) gpu = choice;
    }
    // A CPU emulation of a GPU takes minutes per step at this size: one step, no profile, and said to be no speed figure.
    const result = await measureInProcess(choice, name === 'cpu' || emulated ? 1 : 3, { profile: !emulated });
    results.push(result);
    if (emulated) {
      log(`webgpu (CPU emulation, not a speed figure): forward ${result.forwardMs.toFixed(0)} ms, step ${result.stepMs.toFixed(0)} ms`);
      continue;
    }
    log(`${name}${name === 'webgpu' ? '' : ', 1 thread'}: forward ${result.forwardMs.toFixed(0)} ms (${ratio(result.forwardMs, typeof torch === 'string' ? undefined : torch.forward_ms)}x PyTorch), step ${result.stepMs.toFixed(0)} ms (${ratio(result.stepMs, torchStep)}x PyTorch)`);
    const total = result.kernels.reduce((sum, k) => sum + k.ms, 0);
    log(`  kernels of one step (${total.toFixed(0)} ms):`);
    for (const k of result.kernels.filter((k) => k.ms / total >= 0.01)) log(`    ${k.name.padEnd(24)} ${k.ms.toFixed(0).padStart(6)} ms  ${((100 * k.ms) / total).toFixed(1).padStart(5)}%`);
  }
  if (!argv.includes('--cpu')) log('cpu: skipped (a step takes minutes; add --cpu to time it)');
  log('');
  if (results.some((r) => r.backend === 'wasm')) {
    await tf.setBackend('wasm');
    for (const line of convLayerTable({ repeats: 3 })) log(line);
    log('');
    const rows = await measureShards({ model: MODEL, data: randomImages(BATCH, 5), batch: BATCH, workers: SHARD_TABLE_WORKERS, repeats: 5 });
    for (const line of shardTable(rows)) log(line);
    log('');
  }

  const portable = await measureEngine({ choice: await selectBackend('wasm'), steps: 7, epoch: !quick });
  log(`portable engine: ${portable.detail}`);
  log(`  step ${portable.stepMs.toFixed(0)} ms (${ratio(portable.stepMs, torchStep)}x PyTorch), forward ${portable.forwardMs.toFixed(0)} ms`);
  if (portable.epochSeconds !== null) {
    const torchEpoch = typeof torch === 'string' ? undefined : torch.epoch_s;
    log(`  epoch of ${TRAIN_COUNT} training + ${VALIDATION_COUNT} validation images: ${portable.epochSeconds.toFixed(1)} s (${ratio(portable.epochSeconds, torchEpoch)}x PyTorch)`);
    if (portable.epochSplit !== null) {
      const torchSplit = typeof torch === 'string' ? '' : `; PyTorch ${torch.epoch_train_s.toFixed(1)} s and ${torch.epoch_validation_s.toFixed(1)} s`;
      log(`    of which training ${portable.epochSplit.training.toFixed(1)} s (${Math.ceil(TRAIN_COUNT / BATCH)} steps, ${((1000 * portable.epochSplit.training) / Math.ceil(TRAIN_COUNT / BATCH)).toFixed(0)} ms each with the next batch made meanwhile), validation ${portable.epochSplit.validation.toFixed(1)} s${torchSplit}`);
    }
  }
  log('');
  if (gpu !== null) {
    const webgpu = await measureEngine({ choice: await selectBackend('webgpu'), steps: 10, epoch: true });
    log(`webgpu engine: ${webgpu.detail}`);
    log(`  step ${webgpu.stepMs.toFixed(1)} ms (next batch prepared meanwhile), forward ${webgpu.forwardMs.toFixed(1)} ms`);
    const cuda = measurePytorch({ epoch: true, device: 'cuda' });
    if (typeof cuda === 'string') log(`PyTorch CUDA: ${cuda}`);
    else log(`PyTorch ${cuda.torch} on ${cuda.device}, ${torchLayouts(cuda)}, epoch ${cuda.epoch_s.toFixed(2)} s (webgpu epoch / PyTorch CUDA epoch = ${ratio(webgpu.epochSeconds ?? Number.NaN, cuda.epoch_s)})`);
    log(`webgpu epoch seconds = ${webgpu.epochSeconds?.toFixed(2)}`);
  }
  log(`portable step / pytorch step = ${ratio(portable.stepMs, torchStep)}`);
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`bench failed: ${(error as Error).stack ?? error}\n`);
    process.exit(1);
  },
);
