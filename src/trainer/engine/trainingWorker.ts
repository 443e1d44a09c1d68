/** Entry point of a training worker thread: one TrainingCore, driven by WorkerRequest messages. */
import * as tf from '@tensorflow/tfjs-core';
import { parentPort } from 'node:worker_threads';
import { selectBackend } from '../backend/selectBackend';
import { collectGarbageIfExposed } from '../train/memoryReport';
import { describeError, isUserError } from '../util/errors';
import { routeConsoleToStderr } from '../util/stdioRouting';
import { GradientExchange } from './gradientExchange';
import { SharedRmsprop } from './sharedRmsprop';
import { TrainingCore } from './trainingCore';
import type { WorkerReply, WorkerRequest } from './workerProtocol';

function transferablesOf(arrays: Float32Array[]): ArrayBuffer[] {
  return arrays.map((a) => a.buffer as ArrayBuffer);
}

interface WorkerState {
  core?: TrainingCore;
  exchange?: GradientExchange;
  optimizer?: SharedRmsprop;
  /** This worker's place in the pool: worker 0 counts the steps. */
  index?: number;
  learningRate?: number;
}

async function handle(request: WorkerRequest, state: WorkerState): Promise<{ reply: WorkerReply; transfer?: ArrayBuffer[] }> {
  switch (request.type) {
    case 'init': {
      const choice = await selectBackend(request.backend);
      state.core = new TrainingCore({ model: request.model, optimizer: request.optimizer, weights: request.weights });
      state.learningRate = request.optimizer.learningRate;
      return { reply: { type: 'ready', id: request.id, backend: choice.backend, detail: choice.detail, gradientFloats: state.core.gradientFloats } };
    }
    case 'exchange': {
      const { gradientSizes: sizes, gradientFloats: floats } = core(state);
      state.exchange = new GradientExchange({ buffer: request.buffer, workers: request.workers, floats, index: request.index });
      state.optimizer = new SharedRmsprop({ buffer: request.optimizerBuffer, sizes, learningRate: state.learningRate ?? Number.NaN });
      state.index = request.index;
      if (request.index === 0) state.optimizer.initialize(core(state).trainableValues(), request.optimizerState);
      return { reply: { type: 'joined', id: request.id } };
    }
    case 'step': {
      const { exchange, optimizer } = state;
      if (!exchange || !optimizer) throw new Error('training worker stepped before joining the gradient exchange');
      try {
        const slot = exchange.slot();
        let result = { lossSum: 0, correct: 0 };
        // A batch smaller than the pool leaves some workers without images: they add zeros.
        if (request.shard.size === 0) slot.fill(0);
        else result = await core(state).computeGradientsInto(request.shard, slot);
        exchange.reduceScatter((sum, start, end) => {
          optimizer.update(sum, start, end);
          if (state.index === 0) optimizer.countStep();
        });
        core(state).setTrainableValues(optimizer.weights());
        return { reply: { type: 'stepped', id: request.id, lossSum: result.lossSum, correct: result.correct } };
      } catch (error) {
        // The other workers would wait for this one's gradients forever.
        exchange.abort();
        throw error;
      }
    }
    case 'predict': {
      const outputs = new Float32Array(await core(state).predict({ pixels: request.pixels, size: request.size }));
      return { reply: { type: 'predictions', id: request.id, outputs }, transfer: [outputs.buffer as ArrayBuffer] };
    }
    case 'weights': {
      const weights = await core(state).getWeights();
      return { reply: { type: 'weights', id: request.id, weights }, transfer: transferablesOf(weights) };
    }
    case 'state': {
      const weights = await core(state).getWeights();
      if (!state.optimizer) throw new Error('training worker asked for its state before joining the gradient exchange');
      const optimizer = state.optimizer.state();
      return { reply: { type: 'state', id: request.id, weights, optimizer }, transfer: transferablesOf([...weights, ...optimizer.slots]) };
    }
    case 'memory':
      collectGarbageIfExposed();
      return { reply: { type: 'memory', id: request.id, numTensors: tf.memory().numTensors } };
  }
}

function core(state: WorkerState): TrainingCore {
  if (!state.core) throw new Error('training worker used before init');
  return state.core;
}

function main(): void {
  const port = parentPort;
  if (!port) throw new Error('trainingWorker must run in a worker thread');
  routeConsoleToStderr();
  const state: WorkerState = {};
  // Requests are handled strictly one after another.
  let queue = Promise.resolve();
  port.on('message', (request: WorkerRequest) => {
    queue = queue.then(async () => {
      try {
        const { reply, transfer } = await handle(request, state);
        port.postMessage(reply, transfer ?? []);
      } catch (error) {
        port.postMessage({ type: 'failed', id: request.id, message: describeError(error), code: isUserError(error) ? error.code : undefined } satisfies WorkerReply);
      }
    });
  });
}

main();
