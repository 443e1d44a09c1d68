/**
 * The "Custom…" recipe's input boxes: parse and validate each number with a message that says what is
 * allowed (SETTING_LIMITS of src/shared/recipes.ts, the table the trainer's CLI uses too). Pure.
 */
import { MIN_IMAGE_SIZE, RECIPES, SEED_DEFAULTS, SETTING_LIMITS, type RecipeId, type TrainSettings } from '../../shared/recipes';

export type NumericSetting = 'epochs' | 'imageSize' | 'batchSize' | 'learningRate' | 'seed';

export interface NumericField {
  key: NumericSetting;
  /** The InputBox prompt. */
  prompt: string;
  integer: boolean;
  min: number;
  max: number;
}

export const NUMERIC_FIELDS: readonly NumericField[] = [
  { key: 'epochs', prompt: 'Epochs: passes over the training images (the seed: 30 from scratch, 100 with augmentation)', ...SETTING_LIMITS.epochs },
  {
    key: 'imageSize',
    prompt: `Image size in pixels: images are resized to a square of this side (the seed: 180; at least ${MIN_IMAGE_SIZE} for this network)`,
    ...SETTING_LIMITS.imageSize,
  },
  { key: 'batchSize', prompt: 'Batch size: images per training step (the seed: 32)', ...SETTING_LIMITS.batchSize },
  { key: 'learningRate', prompt: 'Learning rate of RMSprop (the seed: 0.001)', ...SETTING_LIMITS.learningRate },
  { key: 'seed', prompt: 'Random seed: shuffling, augmentation and initial weights (the seed: 1337)', ...SETTING_LIMITS.seed },
];

const LABELS: Record<NumericSetting, string> = {
  epochs: 'Epochs',
  imageSize: 'The image size',
  batchSize: 'The batch size',
  learningRate: 'The learning rate',
  seed: 'The seed',
};

/** The number in `text`, or a message for the InputBox. */
export function parseNumericSetting(field: NumericField, text: string): { value: number } | { error: string } {
  const trimmed = text.trim();
  const label = LABELS[field.key];
  const range = `${field.min} to ${field.max}`;
  if (trimmed === '') return { error: `${label} is needed: a ${field.integer ? 'whole number' : 'number'} from ${range}.` };
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return { error: `"${trimmed}" is not a number. ${label} must be from ${range}.` };
  if (field.integer && !Number.isInteger(value)) return { error: `${label} must be a whole number (from ${range}).` };
  if (value < field.min || value > field.max) {
    const hint = field.key === 'imageSize' && value < field.min ? ` Smaller images shrink to nothing in the four conv + pool blocks.` : '';
    return { error: `${label} must be from ${range}; ${trimmed} is not.${hint}` };
  }
  return { value };
}

export function validateNumericSetting(field: NumericField, text: string): string | undefined {
  const parsed = parseNumericSetting(field, text);
  return 'error' in parsed ? parsed.error : undefined;
}

/** The image size the flow proposes: the seed's 180, or the demo's 80 (its pictures are 96 px). */
export const DEMO_IMAGE_SIZE = 80;

export function defaultSettings(options: { recipe: RecipeId; isDemo: boolean }): TrainSettings {
  return {
    recipe: options.recipe,
    epochs: RECIPES[options.recipe].epochs,
    imageSize: options.isDemo ? DEMO_IMAGE_SIZE : SEED_DEFAULTS.imageSize,
    batchSize: SEED_DEFAULTS.batchSize,
    learningRate: SEED_DEFAULTS.learningRate,
    seed: SEED_DEFAULTS.seed,
  };
}

export function withNumericSetting(settings: TrainSettings, key: NumericSetting, value: number): TrainSettings {
  return { ...settings, [key]: value };
}

/** "From scratch, 30 epochs" / "Augmentation + dropout, 100 epochs" */
export function recipeLabel(recipe: RecipeId): string {
  return `${RECIPES[recipe].title}, ${RECIPES[recipe].epochs} epochs`;
}

/** "scratch · 30 epochs · 180 px · batch 32 · lr 0.001 · seed 1337" */
export function describeSettings(settings: TrainSettings): string {
  return `${settings.recipe} · ${settings.epochs} epochs · ${settings.imageSize} px · batch ${settings.batchSize} · lr ${settings.learningRate} · seed ${settings.seed}`;
}
