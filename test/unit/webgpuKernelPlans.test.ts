// How the WebGPU filter-gradient kernel (src/trainer/backend/webgpu/conv2dBackpropFilterWebGpu.ts) splits the
// batch's rows into chunks for the model's five conv layers: every row summed once, and enough workgroups to
// keep a large GPU busy where tfjs' own kernel had one thread per weight (pure arithmetic; the kernel itself is
// checked against cpu in test/webgpu/kernels.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chunkPlan, type FilterGradShape } from '../../src/trainer/backend/webgpu/conv2dBackpropFilterWebGpu';
import { CONV_FILTERS } from '../../src/trainer/model/buildModel';

/** The model's conv layers at 180x180, batch 32: input side, channels in and out. */
function modelLayers(): FilterGradShape[] {
  const layers: FilterGradShape[] = [];
  let side = 180;
  let channels = 3;
  CONV_FILTERS.forEach((filters, i) => {
    layers.push({ batchSize: 32, inHeight: side, inWidth: side, inChannels: channels, outHeight: side - 2, outWidth: side - 2, outChannels: filters, filterHeight: 3, filterWidth: 3 });
    side = i < CONV_FILTERS.length - 1 ? Math.floor((side - 2) / 2) : side - 2;
    channels = filters;
  });
  return layers;
}

test('chunk plans of the model\'s layers: each row once, whole tiles of 16 rows, at least 512 workgroups', () => {
  const layers = modelLayers();
  assert.deepEqual(layers.map((l) => l.inHeight), [180, 89, 43, 20, 9]);
  for (const layer of layers) {
    const rows = layer.batchSize * layer.outHeight * layer.outWidth;
    const { chunks, chunkRows } = chunkPlan(layer);
    assert.equal(chunkRows % 16, 0);
    assert.ok(chunks * chunkRows >= rows && (chunks - 1) * chunkRows < rows, `${chunks} x ${chunkRows} rows for ${rows}`);
    const tiles = Math.ceil((9 * layer.inChannels) / 32) * Math.ceil(layer.outChannels / 32);
    assert.ok(tiles * chunks >= 512, `conv ${layer.inChannels}->${layer.outChannels}: ${tiles * chunks} workgroups`);
  }
  // The first layer: 864 weights, which tfjs' kernel gave 864 threads of a million products each.
  const first = chunkPlan(layers[0]);
  assert.ok(first.chunks >= 1000 && first.chunkRows <= 1024, JSON.stringify(first));
});

test('a small layer is one chunk', () => {
  assert.deepEqual(chunkPlan({ batchSize: 1, inHeight: 5, inWidth: 5, inChannels: 8, outHeight: 3, outWidth: 3, outChannels: 8, filterHeight: 3, filterWidth: 3 }), { chunks: 1, chunkRows: 16 });
});
