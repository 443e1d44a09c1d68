/**
 * The bench's peer: the seed's Model 2 in PyTorch (./pytorch_step.py), on this CPU with a given number of
 * threads or on a CUDA GPU, timed in both memory layouts (NCHW and channels_last); every ratio of the bench
 * uses the faster one.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export type TorchLayout = 'nchw' | 'channels_last';

export interface TorchResult {
  torch: string;
  threads: number;
  /** "cpu", or the CUDA device's name. */
  device: string;
  params: number;
  /** Both memory layouts' step and forward pass. */
  layouts: Record<TorchLayout, { step_ms: number; forward_ms: number }>;
  /** The faster layout: its step and forward below, and the epoch timed in it. */
  layout: TorchLayout;
  step_ms: number;
  forward_ms: number;
  epoch_s: number;
  /** The epoch's training steps and validation passes, in seconds. */
  epoch_train_s: number;
  epoch_validation_s: number;
}

export interface PytorchOptions {
  device: 'cpu' | 'cuda';
  /** PyTorch's intra-op threads (torch.set_num_threads). */
  threads: number;
  size: number;
  batch: number;
  /** An epoch's training and validation images, or null to time steps and forward passes only. */
  epoch: { train: number; validation: number } | null;
}

/** "step 1,028 ms (NCHW 1,274 ms), forward ..." : the faster layout's numbers first, the other's for comparison. */
export function torchLayouts(result: TorchResult): string {
  const other: TorchLayout = result.layout === 'nchw' ? 'channels_last' : 'nchw';
  const slower = result.layouts[other];
  return `fastest layout ${result.layout}: step ${result.step_ms.toFixed(0)} ms, forward ${result.forward_ms.toFixed(0)} ms (${other}: step ${slower.step_ms.toFixed(0)} ms, forward ${slower.forward_ms.toFixed(0)} ms)`;
}

/** The first python3 that imports torch: Debian's /usr/bin/python3 (python3-torch), or the one on PATH (e.g. a CUDA build). */
function pythonWithTorch(options: { cuda: boolean }): string | null {
  const check = options.cuda ? 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' : 'import torch';
  for (const python of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(python, ['-c', check], { encoding: 'utf8' }).status === 0) return python;
  }
  return null;
}

/** PyTorch's figures, or a one-line reason why there are none. */
export function measurePytorch(options: PytorchOptions): TorchResult | string {
  const cuda = options.device === 'cuda';
  const python = pythonWithTorch({ cuda });
  if (python === null) {
    return cuda ? 'no python3 here has PyTorch with CUDA' : 'torch is not installed for /usr/bin/python3 or python3 (Debian: apt-get install python3-torch)';
  }
  const script = join(__dirname, 'pytorch_step.py');
  const { batch, epoch } = options;
  const args = [script, String(options.threads), String(options.size), String(batch), String(epoch?.train ?? batch), String(epoch?.validation ?? batch), options.device];
  const run = spawnSync(python, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (run.status !== 0) return `the PyTorch benchmark failed: ${run.stderr.trim().split('\n').at(-1)}`;
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as TorchResult;
}
