/**
 * The worker pool's optimizer: one RMSprop state in shared memory, each worker updating its own slice of it, the
 * slice of the summed gradients it has just added up (./gradientExchange.ts reduceScatter). The update of all
 * weights costs each worker 1/n of one pass, where n replicas each running tfjs' rmsprop did the whole update
 * every step, in 15 element-wise ops of their own; then each worker copies the new weights into its replica.
 *
 * The arithmetic is tfjs' rmsprop (tf.train.rmsprop(lr, rho, momentum, epsilon), not centered) op for op, each
 * op rounded to float32 (Math.fround; a double result of one float32 op rounds to the float32 result exactly,
 * for +, -, *, / and sqrt), so the weights are bit for bit those the replicas' own optimizers gave, and the state
 * is what the main-thread engines save and resume (OptimizerState: the mean squares of every variable, then the
 * moments, in the trainable variables' order).
 *
 * Layout: a Float64 step count (tfjs' `iterations`, saved with the state), then `floats` float32 each of the
 * weights, the mean squares and the moments, all variables concatenated in order.
 */
import type { OptimizerState } from './trainingCore';

/** Keras RMSprop's defaults, as this project trains: v = rho v + (1 - rho) g^2; w -= lr g / sqrt(v + eps). */
export const RMSPROP = { rho: 0.9, momentum: 0, epsilon: 1e-7 } as const;

const HEADER_BYTES = 8;

export function createOptimizerBuffer(floats: number): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_BYTES + 3 * floats * 4);
}

export class SharedRmsprop {
  private readonly iterations: Float64Array;
  private readonly weightValues: Float32Array;
  private readonly meanSquares: Float32Array;
  private readonly moments: Float32Array;

  constructor(private readonly options: { buffer: SharedArrayBuffer; sizes: readonly number[]; learningRate: number }) {
    const floats = options.sizes.reduce((n, s) => n + s, 0);
    if (options.buffer.byteLength !== HEADER_BYTES + 3 * floats * 4) {
      throw new Error(`shared RMSprop: a buffer of ${options.buffer.byteLength} bytes does not hold 3 x ${floats} floats`);
    }
    this.iterations = new Float64Array(options.buffer, 0, 1);
    [this.weightValues, this.meanSquares, this.moments] = [0, 1, 2].map((k) => new Float32Array(options.buffer, HEADER_BYTES + k * floats * 4, floats));
  }

  /** Before the first step, by one worker: the replicas' initial weights and a resumed run's state (or zeros). */
  initialize(weights: readonly Float32Array[], state?: OptimizerState): void {
    concatInto(this.weightValues, weights, this.options.sizes);
    const count = this.options.sizes.length;
    if (state === undefined || state.slots.length === 0) {
      this.iterations[0] = state?.iterations ?? 0;
      this.meanSquares.fill(0);
      this.moments.fill(0);
      return;
    }
    if (state.slots.length !== 2 * count) throw new Error(`optimizer state has ${state.slots.length} slots; this model needs ${2 * count}`);
    this.iterations[0] = state.iterations;
    concatInto(this.meanSquares, state.slots.slice(0, count), this.options.sizes);
    concatInto(this.moments, state.slots.slice(count), this.options.sizes);
  }

  /** Applies the summed gradients `sum` of floats [start, end) to the same floats of the weights and state. */
  update(sum: Float32Array, start: number, end: number): void {
    const f = Math.fround;
    // The scalars as tfjs makes them: float32 tensors of the JS numbers.
    const rho = f(RMSPROP.rho);
    const oneMinusRho = f(1 - RMSPROP.rho);
    const momentum = f(RMSPROP.momentum);
    const epsilon = f(RMSPROP.epsilon);
    const lr = f(this.options.learningRate);
    const w = this.weightValues;
    const ms = this.meanSquares;
    const mom = this.moments;
    for (let i = start; i < end; i++) {
      const g = sum[i];
      const meanSquare = f(f(ms[i] * rho) + f(f(g * g) * oneMinusRho));
      const moment = f(f(mom[i] * momentum) + f(f(g * lr) / f(Math.sqrt(f(meanSquare + epsilon)))));
      ms[i] = meanSquare;
      mom[i] = moment;
      w[i] = w[i] - moment;
    }
  }

  /** Counts a step (one worker, once per step, as tfjs' optimizer counts its applyGradients). */
  countStep(): void {
    this.iterations[0] += 1;
  }

  /** The weights, one view per variable (valid until the next update). */
  weights(): Float32Array[] {
    return splitViews(this.weightValues, this.options.sizes);
  }

  /** A copy of the state, as TrainingCore.getOptimizerState gives it. */
  state(): OptimizerState {
    const { sizes } = this.options;
    const copies = (values: Float32Array) => splitViews(values, sizes).map((view) => view.slice());
    return { iterations: this.iterations[0], slots: [...copies(this.meanSquares), ...copies(this.moments)] };
  }
}

function concatInto(target: Float32Array, parts: readonly Float32Array[], sizes: readonly number[]): void {
  let offset = 0;
  parts.forEach((part, i) => {
    if (part.length !== sizes[i]) throw new Error(`shared RMSprop: variable ${i} has ${part.length} floats, ${sizes[i]} expected`);
    target.set(part, offset);
    offset += part.length;
  });
}

/** Consecutive views of `values`, one per size (the variables' arrays in a concatenation of them all). */
export function splitViews(values: Float32Array, sizes: readonly number[]): Float32Array[] {
  const views: Float32Array[] = [];
  let offset = 0;
  for (const size of sizes) {
    views.push(values.subarray(offset, offset + size));
    offset += size;
  }
  return views;
}
