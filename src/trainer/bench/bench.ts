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
 * Options: --cpu (also time the pure-JS backend: minutes per step), --quick (skip the epochs),
 * --threads 1,2,4,8,16 (only the step over core counts, ./threadScaling.ts; its last line is the worst ratio).
 */
import { cpus } from 'node:os';
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
import { measurePytorch, torchLayouts } from './pytorchPeer';
import { measureShards, shardTable } from './shardScaling';
import { parseThreadCounts, scalingTable, worstRatio, type ScalingRow } from './threadScaling';
import { median, medianMs } from './timing';
import { CancelToken } from '../train/cancellation';
import { fit } from '../train/fit';
import { Rng } from '../util/rng';
import type { BackendName } from '../../shared/trainerProtocol';

const SIZE = 180;
const BATCH = 32;
const TRAIN_COUNT = 2000;
const VALIDATION_COUNT = 1000;
const EPOCH = { train: TRAIN_COUNT, validation: VALIDATION_COUNT };
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

async function measureEngine(options: { choice: BackendChoice; steps: number; epoch: boolean; workers?: number }) {
  const { choice } = options;
  const startedEngine = await createEngine({ choice, model: MODEL, optimizer: { learningRate: 1e-3 }, workers: options.workers });
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

function ratio(a: number, b: number | undefined): string {
  return b === undefined ? 'n/a' : (a / b).toFixed(2);
}

/** The step over core counts: PyTorch with N threads and the portable engine with N workers, for each N in turn. */
async function measureThreadScaling(threadCounts: number[]): Promise<void> {
  const rows: ScalingRow[] = [];
  const choice = await selectBackend('wasm');
  for (const threads of threadCounts) {
    const torch = measurePytorch({ device: 'cpu', threads, size: SIZE, batch: BATCH, epoch: null });
    const portable = await measureEngine({ choice, steps: 7, epoch: false, workers: threads });
    const row: ScalingRow = { threads, torch: typeof torch === 'string' ? torch : { nchw: torch.layouts.nchw.step_ms, channels_last: torch.layouts.channels_last.step_ms }, portableMs: portable.stepMs };
    rows.push(row);
    log(`${threads} thread${threads === 1 ? '' : 's'}: ${typeof torch === 'string' ? `PyTorch: ${torch}` : `PyTorch ${torch.torch} ${torchLayouts(torch)}`}; portable engine (${portable.detail}) step ${portable.stepMs.toFixed(0)} ms`);
  }
  log('');
  for (const line of scalingTable(rows)) log(line);
  const worst = worstRatio(rows);
  log(`portable step / pytorch step = ${worst === undefined ? 'n/a' : `${worst.ratio.toFixed(2)} (the worst row, ${worst.threads} thread${worst.threads === 1 ? '' : 's'})`}`);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  const threadsAt = argv.indexOf('--threads');
  let threadCounts: number[] | null = null;
  try {
    if (threadsAt >= 0) threadCounts = parseThreadCounts(argv[threadsAt + 1]);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
  log(`Small Convnet benchmark: Model 2 (991,041 parameters), ${SIZE}x${SIZE}, batch ${BATCH}`);
  log(`Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}`);
  log('');
  if (threadCounts !== null) {
    await measureThreadScaling(threadCounts);
    return;
  }

  const torch = measurePytorch({ device: 'cpu', threads: defaultWorkerCount(), size: SIZE, batch: BATCH, epoch: quick ? null : EPOCH });
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
    const cuda = measurePytorch({ device: 'cuda', threads: defaultWorkerCount(), size: SIZE, batch: BATCH, epoch: EPOCH });
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
