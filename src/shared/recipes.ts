/**
 * The two experiments of Deep Learning with Python ch. 8.2, and the settings a run is made of.
 * Shared by the trainer, the extension and the webview: no Node, no DOM, no vscode.
 */
import { number, object, oneOf, type Infer } from './schema';

/**
 * The conv stack is Conv(3x3 valid) -> MaxPool(2) four times, then a last Conv(3x3 valid).
 * Each output side must stay >= 1, which needs an input side of at least this many pixels.
 */
export const MIN_IMAGE_SIZE = 78;

export const RECIPE_IDS = ['scratch', 'augmented'] as const;
export type RecipeId = (typeof RECIPE_IDS)[number];

export interface RecipeDefinition {
  readonly id: RecipeId;
  readonly title: string;
  readonly description: string;
  /** Epochs the seed trains for. */
  readonly epochs: number;
  /** RandomFlip("horizontal") + RandomRotation(0.1) + RandomZoom(0.2) while training. */
  readonly augmentation: boolean;
  /** Dropout rate before the classifier (0 = no Dropout layer). */
  readonly dropout: number;
}

export const RECIPES: Readonly<Record<RecipeId, RecipeDefinition>> = {
  scratch: {
    id: 'scratch',
    title: 'From scratch',
    description: 'Model 1: the small convnet trained from scratch (the seed overfits after ~5-10 epochs).',
    epochs: 30,
    augmentation: false,
    dropout: 0,
  },
  augmented: {
    id: 'augmented',
    title: 'Augmentation + dropout',
    description:
      'Model 2: random flips, rotations and zooms while training, Dropout(0.5) before the classifier.',
    epochs: 100,
    augmentation: true,
    dropout: 0.5,
  },
};

export function isRecipeId(value: unknown): value is RecipeId {
  return typeof value === 'string' && (RECIPE_IDS as readonly string[]).includes(value);
}

/**
 * What each numeric setting may be: one table for the trainer's CLI (src/trainer/cli/args.ts), the editor's
 * input boxes (src/extension/train/recipeInputs.ts) and run.json's shape below.
 */
export const SETTING_LIMITS = {
  epochs: { integer: true, min: 1, max: 10_000 },
  /** The model's own minimum: smaller images shrink to nothing in the four conv + pool blocks. */
  imageSize: { integer: true, min: MIN_IMAGE_SIZE, max: 1024 },
  batchSize: { integer: true, min: 1, max: 4096 },
  learningRate: { integer: false, min: 1e-8, max: 10 },
  seed: { integer: true, min: 0, max: 2 ** 31 - 1 },
  /** Worker threads of the wasm and cpu backends. */
  workers: { integer: true, min: 1, max: 64 },
} as const satisfies Record<string, { integer: boolean; min: number; max: number }>;

export type LimitedSetting = keyof typeof SETTING_LIMITS;

/** Everything a training run is made of; written to the run folder and sent in `run-started`. */
export const trainSettingsSchema = object({
  recipe: oneOf(RECIPE_IDS),
  epochs: number(SETTING_LIMITS.epochs),
  imageSize: number(SETTING_LIMITS.imageSize),
  batchSize: number(SETTING_LIMITS.batchSize),
  learningRate: number(SETTING_LIMITS.learningRate),
  seed: number(SETTING_LIMITS.seed),
});
export type TrainSettings = Infer<typeof trainSettingsSchema>;

export const SEED_DEFAULTS = {
  imageSize: 180,
  batchSize: 32,
  learningRate: 1e-3,
  seed: 1337,
} as const;

/** Settings of the seed's recipe `id`. */
export function seedSettings(id: RecipeId): TrainSettings {
  return { recipe: id, epochs: RECIPES[id].epochs, ...SEED_DEFAULTS };
}


/** Side lengths of each conv / pool output for an input side `size` (valid convs, floor pooling). */
export function convStackSides(size: number): number[] {
  const sides: number[] = [];
  let side = size;
  for (let block = 0; block < 4; block++) {
    side -= 2;
    sides.push(side);
    side = Math.floor(side / 2);
    sides.push(side);
  }
  sides.push(side - 2);
  return sides;
}

/**
 * The built-in demo: generated "spots" / "stripes" pictures (src/trainer/data/demoData.ts), split per class
 * 144/50/50 (2 x 144 = 288 training images = 9 full batches of 32; a small last batch right before
 * validation made validation accuracy jump), trained briefly on small images so it finishes in about a
 * minute on 2 cores: it usually leaves chance level after 6-9 epochs and then stays above 90% on validation.
 */
export const DEMO = {
  perClass: 244,
  sourceImageSize: 96,
  seed: 7,
  split: { train: 144, validation: 50, test: 50 },
  recipe: 'augmented' as RecipeId,
  epochs: 16,
  imageSize: 80,
} as const;
