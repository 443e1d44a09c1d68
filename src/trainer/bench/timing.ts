/** The bench's timing helpers: medians of repeated runs, in milliseconds. */

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

export async function medianMs(fn: () => Promise<unknown>, repeats: number): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) times.push(await timeMs(fn));
  return median(times);
}
