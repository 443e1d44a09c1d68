/** Command lines of the trainer's commands (docs/protocol.md, `main.js <command> --help`). Pure. */
import type { ExportFormat } from '../../shared/exportFormats';
import type { TrainSettings } from '../../shared/recipes';
import type { BackendSetting } from '../settings/extensionSettings';

export interface SplitCounts {
  train: number;
  validation: number;
  test: number;
}

export function formatSplit(counts: SplitCounts): string {
  return `${counts.train}/${counts.validation}/${counts.test}`;
}

export interface ComputeOptions {
  backend: BackendSetting;
}

export function prepareArgs(options: { source: string; out: string; split: SplitCounts; replace: boolean }): string[] {
  const args = [options.source, '--out', options.out, '--split', formatSplit(options.split)];
  return options.replace ? [...args, '--replace'] : args;
}

export interface TrainArgsOptions extends ComputeOptions {
  /** A prepared subsets folder, or undefined for the built-in demo data. */
  data: string | undefined;
  /** The work folder (runs/ and demo/ go there). */
  workFolder: string;
  settings: TrainSettings;
  /** Only for the demo: its split (a prepared folder is used as it is). */
  demoSplit?: SplitCounts;
  /** Worker threads for the wasm/cpu backends; 0 = the trainer's default (one per core). */
  workers: number;
}

export function trainArgs(options: TrainArgsOptions): string[] {
  const { settings } = options;
  const args = options.data === undefined ? [] : [options.data];
  args.push(
    '--out',
    options.workFolder,
    '--recipe',
    settings.recipe,
    '--epochs',
    String(settings.epochs),
    '--image-size',
    String(settings.imageSize),
    '--batch-size',
    String(settings.batchSize),
    '--learning-rate',
    String(settings.learningRate),
    '--seed',
    String(settings.seed),
    '--backend',
    options.backend,
  );
  if (options.data === undefined && options.demoSplit !== undefined) args.push('--split', formatSplit(options.demoSplit));
  if (options.workers > 0) args.push('--workers', String(options.workers));
  return args;
}

/** `resume <run>`: settings and data come from the run's run.json. */
export function resumeArgs(options: ComputeOptions & { runDir: string; workers: number }): string[] {
  const args = [options.runDir, '--backend', options.backend];
  if (options.workers > 0) args.push('--workers', String(options.workers));
  return args;
}

export function evaluateArgs(options: ComputeOptions & { checkpoint: string }): string[] {
  return [options.checkpoint, '--backend', options.backend];
}

export function predictArgs(options: ComputeOptions & { checkpoint: string; images: readonly string[] }): string[] {
  return [options.checkpoint, ...options.images, '--backend', options.backend];
}

/** `explain` takes predict's command line: the checkpoint, the images, the backend. */
export function explainArgs(options: ComputeOptions & { checkpoint: string; images: readonly string[] }): string[] {
  return predictArgs(options);
}

export function activationsArgs(options: ComputeOptions & { checkpoint: string; image: string }): string[] {
  return [options.checkpoint, options.image, '--backend', options.backend];
}

export function exportArgs(options: { checkpoint: string; format: ExportFormat; out: string }): string[] {
  // The save dialog already asked before replacing: --force.
  return [options.checkpoint, '--format', options.format, '--out', options.out, '--force'];
}
