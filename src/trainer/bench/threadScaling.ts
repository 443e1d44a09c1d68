/**
 * `npm run bench -- --threads 1,2,4,8,16`: the training step over core counts, the portable engine with N
 * worker threads against PyTorch with N threads (both memory layouts, the faster one the peer), one row per N,
 * in one run. What issue 18 asks of a 16-core machine; the ratio column is the bench's usual
 * `portable / PyTorch's best`.
 */
import type { TorchLayout } from './pytorchPeer';

export interface ScalingRow {
  threads: number;
  /** PyTorch's step per layout, or why it has none. */
  torch: Record<TorchLayout, number> | string;
  portableMs: number;
}

/** Thread counts from `--threads 1,2,4`: positive integers, each once, in the order given; a message naming the flag otherwise. */
export function parseThreadCounts(text: string | undefined): number[] {
  const fail = (why: string): never => {
    throw new Error(`--threads${text ? ` ${text}` : ''}: ${why}. Give a comma-separated list of worker/thread counts, e.g. --threads 1,2,4,8,16.`);
  };
  if (text === undefined || text.trim() === '') return fail('no thread counts');
  const counts = text.split(',').map((part) => part.trim());
  const numbers = counts.map((part) => (/^[1-9]\d*$/.test(part) ? Number(part) : fail(`"${part}" is not a positive whole number`)));
  if (new Set(numbers).size !== numbers.length) fail('a count appears twice');
  return numbers;
}

function bestTorch(row: ScalingRow): number | undefined {
  return typeof row.torch === 'string' ? undefined : Math.min(row.torch.nchw, row.torch.channels_last);
}

/** portable / PyTorch's best for each row (undefined without PyTorch), and the table's lines. */
export function scalingTable(rows: ScalingRow[]): string[] {
  const ms = (value: number | undefined) => (value === undefined ? 'n/a' : `${value.toFixed(0)} ms`);
  const lines = [
    'One training step of a batch of 32 over core counts: the portable engine with N worker threads, PyTorch with N threads (both layouts; the ratio is against the faster)',
    `  ${'threads'.padStart(7)} ${'PyTorch NCHW'.padStart(13)} ${'channels_last'.padStart(14)} ${'portable'.padStart(9)} ${'portable / best'.padStart(16)} ${'portable speed-up'.padStart(18)}`,
  ];
  const one = rows.find((row) => row.threads === 1);
  for (const row of rows) {
    const torch = typeof row.torch === 'string' ? undefined : row.torch;
    const best = bestTorch(row);
    const speedUp = one === undefined ? 'n/a' : `${(one.portableMs / row.portableMs).toFixed(2)}x of ${row.threads}`;
    lines.push(
      `  ${String(row.threads).padStart(7)} ${ms(torch?.nchw).padStart(13)} ${ms(torch?.channels_last).padStart(14)} ${ms(row.portableMs).padStart(9)} ${(best === undefined ? 'n/a' : (row.portableMs / best).toFixed(2)).padStart(16)} ${speedUp.padStart(18)}`,
    );
  }
  const reasons = [...new Set(rows.flatMap((row) => (typeof row.torch === 'string' ? [row.torch] : [])))];
  for (const reason of reasons) lines.push(`  PyTorch: ${reason}`);
  return lines;
}

/** The worst row's ratio (the goal is <= 1.0 at every thread count), for the bench's last line; undefined without PyTorch. */
export function worstRatio(rows: ScalingRow[]): { threads: number; ratio: number } | undefined {
  let worst: { threads: number; ratio: number } | undefined;
  for (const row of rows) {
    const best = bestTorch(row);
    if (best === undefined) continue;
    const ratio = row.portableMs / best;
    if (worst === undefined || ratio > worst.ratio) worst = { threads: row.threads, ratio };
  }
  return worst;
}
