/**
 * How much memory a training run will need, before anything is decoded or started, and whether the
 * machine has it: the decoded images (uint8), the model with its gradients and RMSprop state per
 * replica, and the activations of one batch (shared out over the replicas), plus the runtime.
 * Pure: the machine's memory is passed in.
 *
 * Calibrated on the wasm backend (peak resident memory of real 1-epoch runs, estimate in brackets):
 * 180 px batch 32 in 2 workers, 1.11 GB (1.28); 256 px batch 32, 2.11 GB (2.32); 180 px batch 8 in one
 * worker, 0.43 GB (0.51); 512 px batch 16 in one worker, 3.85 GB (4.37; 4.00 per worker, under
 * WebAssembly's 4 GiB: it trains), while 512 px batch 20 in one worker (4.98 per worker) crashed with
 * "memory access out of bounds" after 28 s: that is refused before it starts now.
 */
import { convStackSides } from '../../shared/recipes';
import { flagNote } from '../../shared/settingWords';
import { CONV_FILTERS } from '../model/buildModel';
import { UserError } from '../util/errors';

/** Bytes kept per activation value while a batch trains: its output, its gradient, relu/pool scratch (measured). */
const ACTIVATION_BYTES_PER_VALUE = 4 * 3;
/** Node, TensorFlow.js and the host thread's copy of the model. */
const RUNTIME_BYTES = 200e6;
/** A worker thread with its WebAssembly instance. */
const RUNTIME_BYTES_PER_REPLICA = 40e6;
/** float32 weights, gradients and RMSprop's two slots, per replica. */
const BYTES_PER_PARAM_PER_REPLICA = 4 * 4;
/** Each wasm worker's heap: the backend's memory is declared with at most 65536 pages of 64 KiB. */
export const WASM_MEMORY_LIMIT_BYTES = 4 * 1024 ** 3;

export interface MemoryEstimateInput {
  imageSize: number;
  batchSize: number;
  trainCount: number;
  validationCount: number;
  numClasses: number;
  /** Model replicas that train (the worker threads of wasm/cpu, 1 for native TensorFlow). */
  replicas: number;
}

export interface MemoryEstimate {
  total: number;
  /** The decoded training and validation images. */
  images: number;
  /** Activations of one batch (all replicas). */
  activations: number;
  /** Weights, gradients and optimizer state (all replicas and the host copy). */
  model: number;
  runtime: number;
  /** What one replica holds (its share of the batch, its model copy, its runtime). */
  perReplica: number;
  /** Activation bytes per training example. */
  perExample: number;
}

/** Values (floats) each layer outputs for one image, and the model's parameter count. */
export function modelShape(options: { imageSize: number; numClasses: number }): { valuesPerExample: number; params: number } {
  const { imageSize, numClasses } = options;
  const sides = convStackSides(imageSize);
  let values = imageSize * imageSize * 3; // the rescaled input
  let params = 0;
  let channels = 3;
  CONV_FILTERS.forEach((filters, block) => {
    const conv = sides[block * 2];
    values += conv * conv * filters;
    params += (9 * channels + 1) * filters;
    channels = filters;
    const pooled = sides[block * 2 + 1];
    if (pooled !== undefined && block < CONV_FILTERS.length - 1) values += pooled * pooled * filters;
  });
  const last = Math.max(0, sides.at(-1) ?? 0);
  const flat = last * last * channels;
  const units = numClasses === 2 ? 1 : numClasses;
  values += 2 * flat + units; // flatten (and dropout), dense
  params += (flat + 1) * units;
  return { valuesPerExample: values, params };
}

export function estimateTrainingMemory(input: MemoryEstimateInput): MemoryEstimate {
  const { imageSize, trainCount, validationCount, numClasses } = input;
  const replicas = Math.max(1, input.replicas);
  const batch = Math.max(1, Math.min(input.batchSize, trainCount));
  const shard = Math.ceil(batch / replicas);
  const { valuesPerExample, params } = modelShape({ imageSize, numClasses });
  const pixels = imageSize * imageSize * 3;
  const perExample = valuesPerExample * ACTIVATION_BYTES_PER_VALUE;
  const images = (trainCount + validationCount) * pixels;
  // The host thread's batch buffers: the current and the next training batch and a validation batch, float32.
  const batchBuffers = 3 * batch * pixels * 4;
  const replicaModel = params * BYTES_PER_PARAM_PER_REPLICA;
  const perReplica = RUNTIME_BYTES_PER_REPLICA + replicaModel + shard * perExample;
  const activations = replicas * shard * perExample;
  const model = replicas * replicaModel + 2 * params * 4;
  const runtime = RUNTIME_BYTES + replicas * RUNTIME_BYTES_PER_REPLICA + batchBuffers;
  return { total: images + activations + model + runtime, images, activations, model, runtime, perReplica, perExample };
}

/** "1.3 GB" (decimal gigabytes, one decimal; "0.05 GB" below 0.1). */
export function formatGigabytes(bytes: number): string {
  const gb = bytes / 1e9;
  return `${gb >= 0.1 ? gb.toFixed(1) : gb.toFixed(2)} GB`;
}

export interface MachineMemory {
  totalBytes: number;
  /** What the system could give now (Linux: MemAvailable). */
  freeBytes: number;
}

export interface MemoryCheck {
  estimate: MemoryEstimate;
  /** Set when the run cannot fit: refuse before starting. */
  error: UserError | null;
  /** Set when it fits the machine but not what is free now. */
  warning: string | null;
}

/** The largest batch size whose estimate stays under `limit` bytes (total, or per replica), or 0. */
function largestBatchUnder(options: { input: MemoryEstimateInput; limit: number; perReplica: boolean }): number {
  const { input, limit, perReplica } = options;
  const fits = (batchSize: number) => {
    const e = estimateTrainingMemory({ ...input, batchSize });
    return (perReplica ? e.perReplica : e.total) <= limit;
  };
  if (!fits(1)) return 0;
  let low = 1;
  let high = Math.max(1, Math.min(input.batchSize, input.trainCount));
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(middle)) low = middle;
    else high = middle - 1;
  }
  return low;
}

function describeEstimate(e: MemoryEstimate, input: MemoryEstimateInput): string {
  return (
    `${formatGigabytes(e.images)} for ${input.trainCount + input.validationCount} decoded images at ${input.imageSize} px, ` +
    `${formatGigabytes(e.activations)} for the activations of a batch of ${Math.min(input.batchSize, input.trainCount)}, ` +
    `${formatGigabytes(e.model + e.runtime)} for the model, optimizer and runtime`
  );
}

function advice(options: { input: MemoryEstimateInput; limit: number; perReplica: boolean }): string {
  const batch = largestBatchUnder(options);
  const imageSize = `the image size ${flagNote('--image-size')}: memory grows with its square`;
  const lower = batch > 0 && batch < options.input.batchSize ? `Lower the batch size to ${batch} or less ${flagNote('--batch-size')}, or ${imageSize}` : `Lower ${imageSize}`;
  // A worker's share does not depend on the number of images; the whole run's memory does.
  return `${lower}${options.perReplica ? '' : `; or train on fewer images, with a smaller split ${flagNote('--split')}`}.`;
}

/**
 * Refuses a run whose estimate is over the machine's total memory, or (wasm) over WebAssembly's 4 GB
 * per worker thread; warns when it is over what is free now.
 */
export function checkTrainingMemory(options: { input: MemoryEstimateInput; machine: MachineMemory; wasm: boolean }): MemoryCheck {
  const { input, machine, wasm } = options;
  const estimate = estimateTrainingMemory(input);
  if (wasm && estimate.perReplica > WASM_MEMORY_LIMIT_BYTES) {
    const threads = input.replicas === 1 ? 'its one worker thread' : `each of its ${input.replicas} worker threads`;
    return {
      estimate,
      warning: null,
      error: new UserError(
        'bad-setting',
        `Training at ${input.imageSize} px in batches of ${input.batchSize} needs about ${formatGigabytes(estimate.perReplica)} in ${threads}, ` +
          `more than the ${formatGigabytes(WASM_MEMORY_LIMIT_BYTES)} a WebAssembly thread can have. ` +
          advice({ input, limit: WASM_MEMORY_LIMIT_BYTES, perReplica: true }),
      ),
    };
  }
  if (estimate.total > machine.totalBytes) {
    return {
      estimate,
      warning: null,
      error: new UserError(
        'bad-setting',
        `Training needs about ${formatGigabytes(estimate.total)} of memory (${describeEstimate(estimate, input)}), ` +
          `but this machine has ${formatGigabytes(machine.totalBytes)}. ` +
          advice({ input, limit: machine.totalBytes, perReplica: false }),
      ),
    };
  }
  const warning =
    estimate.total > machine.freeBytes
      ? `Training needs about ${formatGigabytes(estimate.total)} of memory (${describeEstimate(estimate, input)}) but only ` +
        `${formatGigabytes(machine.freeBytes)} of this machine's ${formatGigabytes(machine.totalBytes)} are free now: it may slow down (swap) or be stopped ` +
        `by the system. Close other programs, or lower the batch size ${flagNote('--batch-size')} or the image size ${flagNote('--image-size')}.`
      : null;
  return { estimate, error: null, warning };
}
