/** Marks a walkthrough step done (ids.ts WALKTHROUGH_KEYS): VS Code ticks the step once its context key is true. */
import * as vscode from 'vscode';
import type { RecipeId } from '../shared/recipes';
import { WALKTHROUGH_KEYS } from './ids';

export function markWalkthroughStep(step: keyof typeof WALKTHROUGH_KEYS): void {
  void vscode.commands.executeCommand('setContext', WALKTHROUGH_KEYS[step], true);
}

/** A run of this recipe completed: its model's step, and the subsets it trained on. */
export function markTrained(recipe: RecipeId): void {
  markWalkthroughStep('subsetsMade');
  markWalkthroughStep(recipe === 'scratch' ? 'model1Trained' : 'model2Trained');
}
