/** Shows how a trainer job ended: nothing when it completed, the error with a "Show Log" button otherwise. */
import * as vscode from 'vscode';
import { outcomeNotification } from '../trainer/outcomeText';
import type { TrainerOutcome } from '../trainer/trainerOutcome';
import type { ExtensionLog } from '../util/log';

const SHOW_LOG = 'Show Log';

export interface OutcomeAction {
  title: string;
  run(): void;
}

/** `actions`: buttons besides "Show Log" (e.g. "Resume" after a stopped run). */
export async function showOutcome(options: { outcome: TrainerOutcome; what: string; log: ExtensionLog; actions?: readonly OutcomeAction[] }): Promise<void> {
  const notification = outcomeNotification(options.outcome, options.what);
  if (notification.severity === 'none') return;
  const show =
    notification.severity === 'error'
      ? vscode.window.showErrorMessage
      : notification.severity === 'warning'
        ? vscode.window.showWarningMessage
        : vscode.window.showInformationMessage;
  const actions = options.actions ?? [];
  const choice = await show(notification.text, ...actions.map((action) => action.title), SHOW_LOG);
  if (choice === SHOW_LOG) options.log.show();
  actions.find((action) => action.title === choice)?.run();
}
