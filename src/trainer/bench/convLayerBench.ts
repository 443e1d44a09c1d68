/**
 * The bench's kernel table: each convolution of Model 2 (one worker's shard, 16 images at 180 px) timed on the
 * wasm backend, one thread: forward (bias + relu fused), input gradient and filter gradient, with the direct
 * kernels and with Winograd F(2x2, 3x3) and F(4x4, 3x3) where they apply. GFLOP/s count the direct method's multiply-adds
 * (2 * batch * out pixels * 9 * ci * co), so the two strategies compare as speed; the peak is this core's
 * 128-bit SIMD multiply-add rate, measured by a small loop of independent multiply-adds.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { brIf, end, F32, f32c, f32x4Add, f32x4ExtractLane, f32x4Splat, Frame, get, i32c, I32, loop, MODULE_HEADER, name, section, set, sub, tee, u32, vec } from '../backend/wasmEncoding';
import { maddPlain, maddRelaxed } from '../backend/wasmSimdBodies';
import { simdKernels } from '../backend/wasmSimdModule';
import { useWinograd, winogradPossible, winogradTile, winogradTuning, type ConvShape, type WinogradTile } from '../backend/winogradConvWasm';

export const SHARD = 16;
const SIZE = 180;

export interface ConvLayerRow {
  layer: string;
  op: 'forward' | 'input gradient' | 'filter gradient';
  gflop: number;
  directMs: number;
  /** F(2x2, 3x3); null where Winograd does not apply (3 in-channels). */
  winogradMs: number | null;
  /** F(4x4, 3x3); null where it does not apply (3 in-channels). */
  winograd4Ms: number | null;
  /** What 'auto' picks for this layer and op. */
  chosen: 'direct' | 'F(2x2)' | 'F(4x4)';
}

/** The model's five convolutions at 180 px: input size, in and out channels. */
export function modelConvLayers(size = SIZE): { name: string; inSize: number; ci: number; co: number }[] {
  const layers = [];
  let s = size;
  let ci = 3;
  for (const [i, co] of [32, 64, 128, 256, 256].entries()) {
    layers.push({ name: `conv${i + 1} ${s}x${s}x${ci} -> ${s - 2}x${s - 2}x${co}`, inSize: s, ci, co });
    s = Math.floor((s - 2) / 2);
    ci = co;
  }
  return layers;
}

function medianMs(fn: () => void, repeats: number): number {
  fn();
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

/** Times `run` with Winograd off and (where it applies) forced on with each tile that `tiles` lists; restores the tuning. */
function everyStrategy(run: () => void, tiles: WinogradTile[], repeats: number): { directMs: number; winogradMs: number | null; winograd4Ms: number | null } {
  const saved = { ...winogradTuning };
  try {
    winogradTuning.strategy = 'never';
    const directMs = medianMs(run, repeats);
    winogradTuning.strategy = 'always';
    const withTile = (tile: WinogradTile) => {
      if (!tiles.includes(tile)) return null;
      winogradTuning.tile = tile;
      return medianMs(run, repeats);
    };
    return { directMs, winogradMs: withTile(2), winograd4Ms: withTile(4) };
  } finally {
    Object.assign(winogradTuning, saved);
  }
}

/** Every conv layer and op of Model 2 on the wasm backend (which must be the current backend, kernels registered). */
export function measureConvLayers(options: { repeats: number; shard?: number }): ConvLayerRow[] {
  const shard = options.shard ?? SHARD;
  const rows: ConvLayerRow[] = [];
  const engine = tf.engine();
  for (const layer of modelConvLayers()) {
    const oh = layer.inSize - 2;
    const gflop = (2 * shard * oh * oh * 9 * layer.ci * layer.co) / 1e9;
    tf.tidy(() => {
      const x = tf.randomUniform([shard, layer.inSize, layer.inSize, layer.ci], -1, 1, 'float32', 1);
      const w = tf.randomUniform([3, 3, layer.ci, layer.co], -0.1, 0.1, 'float32', 2);
      const b = tf.zeros([layer.co]);
      const dy = tf.randomUniform([shard, oh, oh, layer.co], -1, 1, 'float32', 3);
      const convAttrs = { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1] };
      const once = (fn: () => tf.Tensor) => () => fn().dispose();
      const forward = once(() => engine.runKernel('FusedConv2D', { x, filter: w, bias: b }, { ...convAttrs, activation: 'relu' }) as tf.Tensor);
      const inputGrad = once(() => engine.runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...convAttrs, inputShape: x.shape }) as tf.Tensor);
      const filterGrad = once(() => engine.runKernel('Conv2DBackpropFilter', { x, dy }, { ...convAttrs, filterShape: w.shape }) as tf.Tensor);
      const shape = (inSize: number, ci: number, outSize: number, co: number, pad: number): ConvShape => ({
        batchSize: shard, inHeight: inSize, inWidth: inSize, inChannels: ci, outHeight: outSize, outWidth: outSize, outChannels: co,
        padTop: pad, padLeft: pad, filterHeight: 3, filterWidth: 3, strideHeight: 1, strideWidth: 1,
      });
      const rowOf = (op: ConvLayerRow['op'], run: () => void, conv: ConvShape): ConvLayerRow => {
        const tiles: WinogradTile[] = winogradPossible(conv) ? [2, 4] : [];
        const chosen = !useWinograd(conv) ? 'direct' : winogradTile(conv) === 2 ? 'F(2x2)' : 'F(4x4)';
        return { layer: layer.name, op, gflop, ...everyStrategy(run, tiles, options.repeats), chosen };
      };
      rows.push(rowOf('forward', forward, shape(layer.inSize, layer.ci, oh, layer.co, 0)));
      // The input gradient: a "full" convolution of dy (padding 2); the first layer's is never computed in training.
      if (layer.ci !== 3) rows.push(rowOf('input gradient', inputGrad, shape(oh, layer.co, layer.inSize, layer.ci, 2)));
      rows.push(rowOf('filter gradient', filterGrad, shape(layer.inSize, layer.ci, oh, layer.co, 0)));
    });
  }
  return rows;
}

/**
 * This core's SIMD multiply-add peak in GFLOP/s: a wasm loop of 12 independent f32x4 multiply-add chains (enough
 * to hide the latency of two pipes) in the module's variant (relaxed_madd when `fma`, else mul + add), 4 lanes x
 * 2 flops each.
 */
export function simdPeakGflops(fma: boolean): number {
  const chains = 12;
  const frame = new Frame(['count']);
  const { n } = frame.i32('n');
  const acc = frame.v128Array(chains);
  const { x, y } = frame.v128('x', 'y');
  const madd = fma ? maddRelaxed : maddPlain;
  const body = frame.body([
    ...f32c(1.0000001), ...f32x4Splat, ...set(x),
    ...f32c(0.9999999), ...f32x4Splat, ...set(y),
    ...get(frame.params.count), ...set(n),
    ...loop,
    ...acc.flatMap((a) => madd(a, x, y)),
    ...get(n), ...i32c(1), ...sub, ...tee(n), ...brIf(0), ...end,
    // The sum of the chains, returned, so that the engine cannot drop the loop as dead code.
    ...get(acc[0]), ...acc.slice(1).flatMap((a) => [...get(a), ...f32x4Add]), ...f32x4ExtractLane(0),
    ...end,
  ]);
  const bytes = new Uint8Array([
    ...MODULE_HEADER,
    ...section(1, vec([[0x60, ...vec([[I32]]), ...vec([[F32]])]])),
    ...section(3, vec([u32(0)])),
    ...section(7, vec([[...name('peak'), 0x00, ...u32(0)]])),
    ...section(10, vec([body])),
  ]);
  const api = (globalThis as unknown as { WebAssembly: { Instance: new (m: object) => { exports: { peak: (n: number) => number } }; Module: new (b: Uint8Array) => object } }).WebAssembly;
  const { peak } = new api.Instance(new api.Module(bytes)).exports;
  const count = 20_000_000;
  peak(count / 10);
  const seconds = medianMs(() => peak(count), 3) / 1000;
  return (count * chains * 4 * 2) / seconds / 1e9;
}

/** Whether the wasm backend's SIMD module runs with fused multiply-adds (call with the wasm backend current). */
export function simdUsesFma(): boolean {
  return simdKernels(tf.backend() as BackendWasm)?.fma ?? false;
}
