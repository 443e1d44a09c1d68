/** Step 3 of the guided flow: the recipe ("From scratch, 30 epochs", "Augmentation + dropout, 100 epochs", "Custom…"). */
import * as vscode from 'vscode';
import { RECIPES, type RecipeId, type TrainSettings } from '../../shared/recipes';
import { defaultSettings, NUMERIC_FIELDS, parseNumericSetting, recipeLabel, validateNumericSetting, withNumericSetting } from './recipeInputs';

interface RecipeItem extends vscode.QuickPickItem {
  recipe?: RecipeId;
  custom?: boolean;
}

async function pickBaseRecipe(title: string): Promise<RecipeId | undefined> {
  const picked = await vscode.window.showQuickPick(
    (['scratch', 'augmented'] as const).map((recipe) => ({ label: RECIPES[recipe].title, detail: RECIPES[recipe].description, recipe })),
    { title: `${title}: custom recipe, model`, ignoreFocusOut: true },
  );
  return picked?.recipe;
}

async function askNumbers(options: { title: string; start: TrainSettings }): Promise<TrainSettings | undefined> {
  let settings = options.start;
  for (const [index, field] of NUMERIC_FIELDS.entries()) {
    const text = await vscode.window.showInputBox({
      title: `${options.title}: custom recipe (${index + 1}/${NUMERIC_FIELDS.length})`,
      prompt: field.prompt,
      value: String(settings[field.key]),
      validateInput: (value) => validateNumericSetting(field, value),
      ignoreFocusOut: true,
    });
    if (text === undefined) return undefined;
    const parsed = parseNumericSetting(field, text);
    if ('error' in parsed) return undefined;
    settings = withNumericSetting(settings, field.key, parsed.value);
  }
  return settings;
}

export async function pickSettings(options: { title: string; isDemo: boolean; preset?: RecipeId }): Promise<TrainSettings | undefined> {
  if (options.preset !== undefined) return defaultSettings({ recipe: options.preset, isDemo: options.isDemo });
  const items: RecipeItem[] = [
    ...(['scratch', 'augmented'] as const).map((recipe) => ({ label: recipeLabel(recipe), detail: RECIPES[recipe].description, recipe })),
    { label: 'Custom…', detail: 'Choose the model, epochs, image size, batch size, learning rate and seed.', custom: true },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: `${options.title}: recipe`, placeHolder: 'Which experiment of chapter 8.2?', ignoreFocusOut: true });
  if (picked === undefined) return undefined;
  if (picked.recipe !== undefined) return defaultSettings({ recipe: picked.recipe, isDemo: options.isDemo });
  const recipe = await pickBaseRecipe(options.title);
  if (recipe === undefined) return undefined;
  return askNumbers({ title: options.title, start: defaultSettings({ recipe, isDemo: options.isDemo }) });
}
