/**
 * One model replica and its optimizer: computes gradients on a shard of a batch and applies
 * (summed) gradients. The same class runs in the main thread (native backends) and in each
 * worker thread (wasm, cpu), so one step computes the same thing wherever it runs.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapF32, heapIndex } from '../backend/wasmKernelUtils';
import { buildModel, type ModelOptions } from '../model/buildModel';
import { setModelWeights } from '../model/modelWeights';
import { countCorrect, sumLoss } from '../train/lossAndMetrics';
import { pixelsTensor, type BatchPixels } from './devicePixels';
import { dropoutMask } from './dropoutMask';
import { RMSPROP, splitViews } from './sharedRmsprop';
import { dropoutRate, dropoutUnits, forwardForTraining } from './trainingForward';

export interface ShardInput {
  /** size * H * W * 3 pixel values (0..255), or bytes and augmentation maps made into them on the device. */
  pixels: BatchPixels;
  labels: Float32Array;
  size: number;
  /** Per-example seeds for the dropout masks (ignored when the model has no Dropout). */
  seeds: number[];
  /** Size of the whole batch across all shards: gradients are of (sum of shard losses) / batchSize. */
  batchSize: number;
}

export interface ShardGradients {
  /** One array per trainable weight, in model.trainableWeights order. */
  gradients: Float32Array[];
  lossSum: number;
  correct: number;
}

export interface OptimizerSettings {
  learningRate: number;
}

/**
 * RMSprop's state, to resume a run exactly: the step count and its slot variables in tfjs' own
 * order (per trainable weight: the mean squares, then the moments). Empty before the first step.
 */
export interface OptimizerState {
  iterations: number;
  slots: Float32Array[];
}

export class TrainingCore {
  readonly model: tfl.LayersModel;
  private readonly optimizer: tf.Optimizer;
  private readonly height: number;
  private readonly units: number;
  private readonly rate: number;

  constructor(options: { model: ModelOptions; optimizer: OptimizerSettings; weights?: Float32Array[] }) {
    this.model = buildModel(options.model);
    this.height = options.model.imageSize;
    if (options.weights) this.setWeights(options.weights);
    // Keras RMSprop: v = rho v + (1 - rho) g^2; w -= lr g / sqrt(v + eps). tfjs' rmsprop with momentum 0 is that.
    // (The worker pool updates with ./sharedRmsprop.ts instead, the same arithmetic on a state they share.)
    this.optimizer = tf.train.rmsprop(options.optimizer.learningRate, RMSPROP.rho, RMSPROP.momentum, RMSPROP.epsilon);
    this.units = dropoutUnits(this.model);
    this.rate = dropoutRate(this.model);
  }

  async getOptimizerState(): Promise<OptimizerState> {
    // The first entry is a new scalar (disposed here); the slots are the optimizer's own variables.
    const [iterations, ...slots] = await this.optimizer.getWeights();
    const count = (await iterations.tensor.data())[0];
    iterations.tensor.dispose();
    return { iterations: count, slots: await Promise.all(slots.map(async (slot) => new Float32Array(await slot.tensor.data()))) };
  }

  /** Restores a state taken by getOptimizerState from a replica of the same model. */
  async setOptimizerState(state: OptimizerState): Promise<void> {
    const variables = this.variables;
    if (state.slots.length === 0) return;
    if (state.slots.length !== 2 * variables.length) {
      throw new Error(`optimizer state has ${state.slots.length} slots; this model needs ${2 * variables.length}`);
    }
    const named: Parameters<tf.Optimizer['setWeights']>[0] = [{ name: 'iter', tensor: tf.scalar(state.iterations, 'int32') }];
    state.slots.forEach((values, k) => {
      const variable = variables[k % variables.length];
      const kind = k < variables.length ? 'rms' : 'momentum';
      named.push({ name: `${variable.name}/${kind}`, tensor: tf.tensor(values, variable.shape) });
    });
    await this.optimizer.setWeights(named);
    tf.dispose(named.map((n) => n.tensor));
  }

  private get variables(): tf.Variable[] {
    return this.model.trainableWeights.map((w) => (w as unknown as { read(): tf.Variable }).read());
  }

  /** The size of each trainable variable, in order (the gradients' sizes). */
  get gradientSizes(): number[] {
    return this.variables.map((v) => v.size);
  }

  /** Floats of one shard's gradients: the sizes above, added. */
  get gradientFloats(): number {
    return this.gradientSizes.reduce((n, size) => n + size, 0);
  }

  /**
   * The gradients of (sum of the shard's losses) / batchSize, the loss sum and the correct count, as tensors
   * the caller disposes.
   */
  private gradientTensors(input: ShardInput): { gradients: tf.Tensor[]; shardLoss: tf.Scalar; correct: tf.Scalar } {
    const { size } = input;
    // tidy returns tensors only (a returned typed array would be walked element by element); the loss and
    // the count are kept out of variableGrads' own scope and disposed by the caller with the gradients.
    return tf.tidy(() => {
      const x = pixelsTensor(input.pixels, { count: size, height: this.height, width: this.height });
      const y = tf.tensor1d(input.labels);
      const mask = this.rate > 0 ? tf.tensor2d(dropoutMask({ seeds: input.seeds, units: this.units, rate: this.rate }), [size, this.units]) : undefined;
      let correctCount: tf.Scalar | undefined;
      let lossSum: tf.Scalar | undefined;
      const { grads } = tf.variableGrads(() => {
        const probabilities = forwardForTraining({ model: this.model, x, dropoutMask: mask });
        correctCount = tf.keep(countCorrect(probabilities, y));
        lossSum = tf.keep(sumLoss(probabilities, y));
        return tf.div(lossSum, input.batchSize) as tf.Scalar;
      }, this.variables);
      return { gradients: this.variables.map((v) => grads[v.name]), shardLoss: lossSum!, correct: correctCount! };
    });
  }

  /** A shard's gradients copied out, one array per trainable variable, with its loss sum and correct count. */
  async computeGradients(input: ShardInput): Promise<ShardGradients> {
    const flat = new Float32Array(this.gradientFloats);
    const { lossSum, correct } = await this.computeGradientsInto(input, flat);
    return { gradients: splitViews(flat, this.gradientSizes), lossSum, correct };
  }

  /**
   * A shard's gradients written into `into` (all trainable variables concatenated in order: a worker's slot of
   * ./gradientExchange.ts), with its loss sum and correct count. On wasm they are copied straight from the heap:
   * reading them out as new arrays cost a worker 7-9 ms per step in fresh pages.
   */
  async computeGradientsInto(input: ShardInput, into: Float32Array): Promise<{ lossSum: number; correct: number }> {
    if (into.length !== this.gradientFloats) throw new Error(`gradients of ${this.gradientFloats} floats do not fit a destination of ${into.length}`);
    const { gradients, shardLoss, correct } = this.gradientTensors(input);
    try {
      await readInto(gradients, into);
      const [lossSum, correctCount] = await Promise.all([shardLoss.data(), correct.data()]);
      return { lossSum: lossSum[0], correct: correctCount[0] };
    } finally {
      tf.dispose([...gradients, shardLoss, correct]);
    }
  }

  /**
   * One whole step on this replica: the gradients are applied where they are computed (on a GPU they never
   * leave it), and only the loss and the correct count are read back, asynchronously, so the caller's thread
   * is free (to prepare the next batch) while the device works.
   */
  async trainStep(input: ShardInput): Promise<{ lossSum: number; correct: number }> {
    const { gradients, shardLoss, correct } = this.gradientTensors(input);
    try {
      tf.tidy(() => {
        const named: tf.NamedTensorMap = {};
        this.variables.forEach((v, i) => (named[v.name] = gradients[i]));
        this.optimizer.applyGradients(named);
      });
      const [lossSum, correctCount] = await Promise.all([shardLoss.data(), correct.data()]);
      return { lossSum: lossSum[0], correct: correctCount[0] };
    } finally {
      tf.dispose([...gradients, shardLoss, correct]);
    }
  }

  /** The trainable variables' values, in their order (the gradients'), read synchronously (wasm and cpu only). */
  trainableValues(): Float32Array[] {
    return this.variables.map((v) => new Float32Array(v.dataSync() as Float32Array));
  }

  /** Sets the trainable variables, in their order, to copies of `values` (they may be views of shared memory). */
  setTrainableValues(values: readonly Float32Array[]): void {
    const variables = this.variables;
    if (values.length !== variables.length) throw new Error(`expected ${variables.length} trainable arrays, got ${values.length}`);
    // wasm copies a new tensor's values into its heap; the cpu backend keeps the very array, which must not be shared memory.
    const owned = (array: Float32Array) => (tf.getBackend() === 'wasm' ? array : array.slice());
    tf.tidy(() => variables.forEach((v, i) => v.assign(tf.tensor(owned(values[i]), v.shape))));
  }

  /** Model outputs in inference mode (no dropout), [size * units]. Read asynchronously (GPUs read no other way). */
  async predict(input: { pixels: BatchPixels; size: number }): Promise<Float32Array> {
    const outputs = tf.tidy(() => {
      const x = pixelsTensor(input.pixels, { count: input.size, height: this.height, width: this.height });
      return this.model.apply(x, { training: false }) as tf.Tensor;
    });
    try {
      return (await outputs.data()) as Float32Array;
    } finally {
      outputs.dispose();
    }
  }

  /** Copies of the weights (model.getWeights() order), read asynchronously. */
  async getWeights(): Promise<Float32Array[]> {
    return Promise.all(this.model.getWeights().map(async (w) => new Float32Array((await w.data()) as Float32Array)));
  }

  setWeights(weights: Float32Array[]): void {
    setModelWeights(this.model, weights);
  }

  dispose(): void {
    this.optimizer.dispose();
    this.model.dispose();
  }
}

/** Copies float32 tensors, back to back, into `into`: from the wasm heap directly, or through a read elsewhere. */
async function readInto(tensors: readonly tf.Tensor[], into: Float32Array): Promise<void> {
  let offset = 0;
  for (const t of tensors) {
    if (tf.getBackend() === 'wasm') {
      const backend = tf.backend() as BackendWasm;
      const start = heapIndex(backend, t);
      into.set(heapF32(backend).subarray(start, start + t.size), offset);
    } else {
      into.set((await t.data()) as Float32Array, offset);
    }
    offset += t.size;
  }
}
