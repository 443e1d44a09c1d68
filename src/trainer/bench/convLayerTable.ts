/**
 * The bench's kernel table as text: per convolution of Model 2 and op, the direct kernels' and Winograd's (both
 * tiles) time and GFLOP/s (direct-method flops), which one 'auto' runs, and this core's SIMD multiply-add peak.
 */
import { measureConvLayers, SHARD, simdPeakGflops, simdUsesFma } from './convLayerBench';

const gflops = (gflop: number, ms: number) => ((1000 * gflop) / ms).toFixed(1);

/** Lines to print (the wasm backend must be current, this project's kernels registered). */
export function convLayerTable(options: { repeats: number }): string[] {
  const fma = simdUsesFma();
  const peak = simdPeakGflops(fma);
  const lines = [
    `wasm convolutions, 1 thread, one worker's shard (${SHARD} images; GFLOP/s count the direct method's flops):`,
    `  this core's SIMD peak: ${peak.toFixed(1)} GFLOP/s (12 chains of f32x4 ${fma ? 'relaxed_madd' : 'mul + add'}, the kernels' instruction)`,
    `  ${'layer'.padEnd(34)} ${'op'.padEnd(15)} ${'direct'.padStart(16)} ${'F(2x2)'.padStart(16)} ${'F(4x4)'.padStart(16)}  auto`,
  ];
  const cell = (gflop: number, ms: number | null) => (ms === null ? '-' : `${ms.toFixed(1)} ms ${gflops(gflop, ms).padStart(5)}`);
  for (const row of measureConvLayers(options)) {
    const cells = [row.directMs, row.winogradMs, row.winograd4Ms].map((ms) => cell(row.gflop, ms).padStart(16)).join(' ');
    lines.push(`  ${row.layer.padEnd(34)} ${row.op.padEnd(15)} ${cells}  ${row.chosen}`);
  }
  return lines;
}
