/** The two models of the results page, their names, and the seed's (Keras, Colab GPU) figures to compare with. Data only. */
import type { RecipeId } from '../../src/shared/recipes';

export type ModelKey = RecipeId;

export const MODEL_KEYS: readonly ModelKey[] = ['scratch', 'augmented'];

export interface SeedFigures {
  testAccuracy: string;
  bestEpoch: string;
  epochs: string;
  wallTime: string;
  testImages: string;
}

export interface ModelInfo {
  /** Heading on the results page. */
  title: string;
  /** Key in results.json. */
  jsonKey: 'from_scratch' | 'augmented';
  /** From /work/shared/seed/RECIPE.md. */
  seed: SeedFigures;
}

export const MODELS: Readonly<Record<ModelKey, ModelInfo>> = {
  scratch: {
    title: 'Model 1, from scratch',
    jsonKey: 'from_scratch',
    seed: { testAccuracy: '0.690', bestEpoch: '5', epochs: '30', wallTime: '~0:03 (5-6 s/epoch, Colab GPU)', testImages: '2,000' },
  },
  augmented: {
    title: 'Model 2, augmentation + dropout',
    jsonKey: 'augmented',
    seed: { testAccuracy: '0.829', bestEpoch: '41', epochs: '100', wallTime: '~0:10 (~6 s/epoch, Colab GPU)', testImages: '2,000' },
  },
};

export type Metric = 'accuracy' | 'loss';

/** Where a chart goes, relative to the output folder: images/results-<model>-<metric>.png. */
export function chartPath(model: ModelKey, metric: Metric): string {
  return `images/results-${model}-${metric}.png`;
}
