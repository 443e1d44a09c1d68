/**
 * One model replica and its optimizer: computes gradients on a shard of a batch and applies
 * (summed) gradients. The same class runs in the main thread (native backends) and in each
 * worker thread (wasm, cpu), so one step computes the same thing wherever it runs.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { buildModel, type ModelOptions } from '../model/buildModel';
import { countCorrect, sumLoss } from '../train/lossAndMetrics';
import { dropoutMask } from './dropoutMask';
import { dropoutRate, dropoutUnits, forwardForTraining } from './trainingForward';

export interface ShardInput {
  /** size * H * W * 3 pixel values (0..255). */
  pixels: Float32Array;
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
    this.optimizer = tf.train.rmsprop(options.optimizer.learningRate, 0.9, 0, 1e-7);
    this.units = dropoutUnits(this.model);
    this.rate = dropoutRate(this.model);
  }

  private get variables(): tf.Variable[] {
    return this.model.trainableWeights.map((w) => (w as unknown as { read(): tf.Variable }).read());
  }

  computeGradients(input: ShardInput): ShardGradients {
    const { size } = input;
    // tidy returns tensors only (a returned typed array would be walked element by element); the loss and
    // the count are kept out of variableGrads' own scope and disposed below with the gradients.
    const { gradients, shardLoss, correct } = tf.tidy(() => {
      const x = tf.tensor4d(input.pixels, [size, this.height, this.height, 3]);
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
    try {
      return {
        gradients: gradients.map((g) => g.dataSync() as Float32Array),
        lossSum: shardLoss.dataSync()[0],
        correct: correct.dataSync()[0],
      };
    } finally {
      tf.dispose([...gradients, shardLoss, correct]);
    }
  }

  applyGradients(gradients: Float32Array[]): void {
    tf.tidy(() => {
      const named: tf.NamedTensorMap = {};
      this.variables.forEach((v, i) => (named[v.name] = tf.tensor(gradients[i], v.shape)));
      this.optimizer.applyGradients(named);
    });
  }

  /** Model outputs in inference mode (no dropout), [size * units]. */
  predict(input: { pixels: Float32Array; size: number }): Float32Array {
    return tf.tidy(() => {
      const x = tf.tensor4d(input.pixels, [input.size, this.height, this.height, 3]);
      return (this.model.apply(x, { training: false }) as tf.Tensor).dataSync() as Float32Array;
    });
  }

  getWeights(): Float32Array[] {
    return this.model.getWeights().map((w) => w.dataSync() as Float32Array);
  }

  setWeights(weights: Float32Array[]): void {
    tf.tidy(() => {
      const current = this.model.getWeights();
      this.model.setWeights(current.map((w, i) => tf.tensor(weights[i], w.shape)));
    });
  }

  dispose(): void {
    this.optimizer.dispose();
    this.model.dispose();
  }
}
