/** Command-line parsing: `small-convnet <command> [options]`, into typed options per command. */
import { parseArgs } from 'node:util';
import { isRecipeId, SETTING_LIMITS, type RecipeId } from '../../shared/recipes';
import { COMMAND_NAMES, type CommandName } from '../../shared/trainerProtocol';
import { BACKEND_REQUESTS, isBackendRequest, type BackendRequest } from '../../shared/backends';
import { EXPORT_FORMAT_IDS, isExportFormat, type ExportFormat } from '../../shared/exportFormats';
import { UserError } from '../util/errors';
import { DEFAULT_WORK_FOLDER_NAME } from '../../shared/workFolder';

export const DEFAULT_WORK_DIR = DEFAULT_WORK_FOLDER_NAME;

export interface CommonOptions {
  json: boolean;
  backend: BackendRequest;
  /** train/evaluate/predict/preview: the work folder (default small-convnet-work); prepare: the subsets folder. */
  out: string | undefined;
}

export interface PrepareArgs extends CommonOptions {
  command: 'prepare';
  source: string;
  split?: string;
  replace: boolean;
}

export interface TrainArgs extends CommonOptions {
  command: 'train';
  /** Absent: the built-in demo data. */
  data?: string;
  recipe?: RecipeId;
  epochs?: number;
  imageSize?: number;
  batchSize?: number;
  learningRate?: number;
  seed?: number;
  split?: string;
  replace: boolean;
  /** Worker threads for the wasm/cpu backends (default: one per core). */
  workers?: number;
}

export interface ResumeArgs extends CommonOptions {
  command: 'resume';
  /** The run folder to continue. */
  run: string;
  /** A new total number of epochs (to train a finished run further). */
  epochs?: number;
  workers?: number;
}

export interface EvaluateArgs extends CommonOptions {
  command: 'evaluate';
  checkpoint: string;
  data?: string;
}

export interface PredictArgs extends CommonOptions {
  command: 'predict';
  checkpoint: string;
  inputs: string[];
}

export interface PreviewArgs extends CommonOptions {
  command: 'preview';
  image: string;
  count: number;
  imageSize: number;
  seed: number;
}

export interface ExportArgs extends CommonOptions {
  command: 'export';
  /** A run folder (its best checkpoint) or a checkpoint folder; --checkpoint overrides it. */
  checkpoint: string;
  format: ExportFormat;
  /** Replace an existing output. */
  force: boolean;
}

export interface ExplainArgs extends CommonOptions {
  command: 'explain';
  checkpoint: string;
  inputs: string[];
  /** The class to explain (default: each image's predicted class). */
  className?: string;
}

export interface ActivationsArgs extends CommonOptions {
  command: 'activations';
  checkpoint: string;
  image: string;
  /** One layer (default: every conv and pooling layer). */
  layer?: string;
}

export type ParsedArgs = PrepareArgs | TrainArgs | ResumeArgs | EvaluateArgs | PredictArgs | PreviewArgs | ExportArgs | ExplainArgs | ActivationsArgs | { command: 'help'; topic?: string } | { command: 'version' };

export function isCommandName(value: string | undefined): value is CommandName {
  return (COMMAND_NAMES as readonly (string | undefined)[]).includes(value);
}

function numberOption(options: { name: string; text: string | undefined; integer: boolean; min: number; max: number }): number | undefined {
  const { name, text, integer, min, max } = options;
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
    const kind = integer ? 'a whole number' : 'a number';
    throw new UserError('bad-setting', `--${name} ${text} is not valid: give ${kind} from ${min} to ${max}.`);
  }
  return value;
}

/** Options whose value is a number (a negative one must reach numberOption, which says what is valid). */
const NUMBER_OPTIONS: Readonly<Record<string, string>> = {
  '--epochs': '--epochs',
  '-e': '--epochs',
  '--image-size': '--image-size',
  '--batch-size': '--batch-size',
  '--learning-rate': '--learning-rate',
  '--seed': '--seed',
  '--count': '--count',
  '--workers': '--workers',
};

/**
 * `--epochs -5` as `--epochs=-5`: node's parseArgs takes "-5" for an option and stops with "argument is
 * ambiguous", which says nothing about what a valid value is.
 */
function attachNegativeValues(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = NUMBER_OPTIONS[args[i]];
    const next = args[i + 1];
    if (name !== undefined && next !== undefined && /^-(\d|\.\d|inf)/i.test(next)) {
      out.push(`${name}=${next}`);
      i++;
    } else {
      out.push(args[i]);
    }
  }
  return out;
}

export function parseCommandLine(argv: string[]): ParsedArgs {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    return { command: 'help', topic: command === 'help' ? rest[0] : undefined };
  }
  if (command === '--version' || command === '-v') return { command: 'version' };
  if (!(COMMAND_NAMES as readonly string[]).includes(command)) {
    throw new UserError('bad-argument', `Unknown command "${command}". Commands: ${COMMAND_NAMES.join(', ')}. See small-convnet --help.`);
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: attachNegativeValues(rest),
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        json: { type: 'boolean' },
        backend: { type: 'string' },
        out: { type: 'string', short: 'o' },
        split: { type: 'string' },
        replace: { type: 'boolean' },
        recipe: { type: 'string', short: 'r' },
        epochs: { type: 'string', short: 'e' },
        'image-size': { type: 'string' },
        'batch-size': { type: 'string' },
        'learning-rate': { type: 'string' },
        seed: { type: 'string' },
        data: { type: 'string' },
        count: { type: 'string' },
        workers: { type: 'string' },
        format: { type: 'string', short: 'f' },
        checkpoint: { type: 'string' },
        force: { type: 'boolean' },
        class: { type: 'string' },
        layer: { type: 'string' },
      },
    });
  } catch (error) {
    throw new UserError('bad-argument', `${(error as Error).message}. See small-convnet ${command} --help.`);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const positionals = parsed.positionals;
  if (values.help) return { command: 'help', topic: command };
  const str = (key: string) => values[key] as string | undefined;
  const backend = str('backend') ?? 'auto';
  if (!isBackendRequest(backend)) {
    throw new UserError('bad-setting', `--backend ${backend} is not one of ${BACKEND_REQUESTS.join(', ')}.`);
  }
  const common: CommonOptions = { json: Boolean(values.json), backend, out: str('out') };
  const need = (what: string, usage: string): string => {
    const value = positionals.shift();
    if (value === undefined) throw new UserError('bad-argument', `Missing ${what}. Usage: ${usage}`);
    return value;
  };
  const noMore = () => {
    if (positionals.length > 0) throw new UserError('bad-argument', `Unexpected argument "${positionals[0]}". See small-convnet ${command} --help.`);
  };
  switch (command as CommandName) {
    case 'prepare': {
      const source = need('the source folder', 'small-convnet prepare <source-folder> [--out DIR] [--split 1000/500/1000]');
      noMore();
      return { command: 'prepare', ...common, source, split: str('split'), replace: Boolean(values.replace) };
    }
    case 'train': {
      const data = positionals.shift() ?? str('data');
      noMore();
      const recipe = str('recipe');
      if (recipe !== undefined && !isRecipeId(recipe)) {
        throw new UserError('bad-setting', `--recipe ${recipe} is not a recipe: use "scratch" (Model 1) or "augmented" (Model 2).`);
      }
      return {
        command: 'train',
        ...common,
        data,
        recipe: recipe as RecipeId | undefined,
        epochs: numberOption({ name: 'epochs', text: str('epochs'), ...SETTING_LIMITS.epochs }),
        // Any positive size parses; below SETTING_LIMITS.imageSize.min the model's checkImageSize refuses it and says why.
        imageSize: numberOption({ name: 'image-size', text: str('image-size'), ...SETTING_LIMITS.imageSize, min: 1 }),
        batchSize: numberOption({ name: 'batch-size', text: str('batch-size'), ...SETTING_LIMITS.batchSize }),
        learningRate: numberOption({ name: 'learning-rate', text: str('learning-rate'), ...SETTING_LIMITS.learningRate }),
        seed: numberOption({ name: 'seed', text: str('seed'), ...SETTING_LIMITS.seed }),
        split: str('split'),
        replace: Boolean(values.replace),
        workers: numberOption({ name: 'workers', text: str('workers'), ...SETTING_LIMITS.workers }),
      };
    }
    case 'resume': {
      const run = need('the run folder', 'small-convnet resume <run-folder> [--epochs N]');
      noMore();
      const fixed = ['recipe', 'image-size', 'batch-size', 'learning-rate', 'seed', 'split', 'data'].filter((key) => values[key] !== undefined);
      if (fixed.length > 0) {
        throw new UserError('bad-argument', `--${fixed[0]} cannot change when resuming: a run keeps the settings in its run.json. Start a new run with \`small-convnet train\` to change it.`);
      }
      return {
        command: 'resume',
        ...common,
        run,
        epochs: numberOption({ name: 'epochs', text: str('epochs'), ...SETTING_LIMITS.epochs }),
        workers: numberOption({ name: 'workers', text: str('workers'), ...SETTING_LIMITS.workers }),
      };
    }
    case 'evaluate': {
      const checkpoint = need('the checkpoint (a run folder or checkpoint folder)', 'small-convnet evaluate <run-or-checkpoint> [--data DIR]');
      noMore();
      return { command: 'evaluate', ...common, checkpoint, data: str('data') };
    }
    case 'predict': {
      const checkpoint = need('the checkpoint', 'small-convnet predict <run-or-checkpoint> <image-or-folder>...');
      if (positionals.length === 0) throw new UserError('bad-argument', 'Missing the image(s) to predict. Usage: small-convnet predict <run-or-checkpoint> <image-or-folder>...');
      return { command: 'predict', ...common, checkpoint, inputs: positionals.splice(0) };
    }
    case 'export': {
      const usage = 'small-convnet export <run-or-checkpoint> --format keras|h5|onnx|tfjs [--out FILE_OR_DIR] [--force]';
      const run = str('checkpoint') ?? need('the run folder or checkpoint to export', usage);
      noMore();
      const format = str('format');
      if (format === undefined) throw new UserError('bad-argument', `Missing --format (one of ${EXPORT_FORMAT_IDS.join(', ')}). Usage: ${usage}`);
      if (!isExportFormat(format)) throw new UserError('bad-setting', `--format ${format} is not a format: use one of ${EXPORT_FORMAT_IDS.join(', ')}.`);
      return { command: 'export', ...common, checkpoint: run, format, force: Boolean(values.force) };
    }
    case 'explain': {
      const usage = 'small-convnet explain <run-or-checkpoint> <image-or-folder>... [--class NAME] [--out DIR]';
      const checkpoint = need('the run folder or checkpoint', usage);
      if (positionals.length === 0) throw new UserError('bad-argument', `Missing the image(s) to explain. Usage: ${usage}`);
      return { command: 'explain', ...common, checkpoint, inputs: positionals.splice(0), className: str('class') };
    }
    case 'activations': {
      const usage = 'small-convnet activations <run-or-checkpoint> <image> [--layer NAME] [--out DIR]';
      const checkpoint = need('the run folder or checkpoint', usage);
      const image = need('the image', usage);
      noMore();
      return { command: 'activations', ...common, checkpoint, image, layer: str('layer') };
    }
    case 'preview': {
      const image = need('the image', 'small-convnet preview <image> [--count 9] [--out DIR]');
      noMore();
      return {
        command: 'preview',
        ...common,
        image,
        count: numberOption({ name: 'count', text: str('count'), integer: true, min: 1, max: 100 }) ?? 9,
        imageSize: numberOption({ name: 'image-size', text: str('image-size'), ...SETTING_LIMITS.imageSize, min: 8 }) ?? 180,
        seed: numberOption({ name: 'seed', text: str('seed'), ...SETTING_LIMITS.seed }) ?? 1337,
      };
    }
  }
}
