/** The "Checkpoints" view: one node per run (status icon, best epoch and metrics), its best checkpoint below. */
import * as vscode from 'vscode';
import { COMMANDS, VIEWS } from '../ids';
import { CheckpointsModel, checkpointsItemSpec, type CheckpointsNode, type CheckpointsSource } from '../runs/checkpointsModel';
import { SerialQueue } from '../util/serialQueue';
import { toTreeItem } from './treeItem';

class CheckpointsTreeProvider implements vscode.TreeDataProvider<CheckpointsNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<CheckpointsNode | CheckpointsNode[] | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  /** One refresh at a time; a failed one logs and refreshes everything. */
  private readonly refreshes: SerialQueue;

  constructor(
    private readonly model: CheckpointsModel,
    log: (line: string) => void,
  ) {
    this.refreshes = new SerialQueue((error) => {
      log(`Refreshing the Checkpoints view failed: ${String(error)}`);
      this.changeEmitter.fire(undefined);
    });
  }

  /** Refreshes what changed on disk: only the changed runs when the list of runs is the same (see CheckpointsModel). */
  refresh(): void {
    this.refreshes.push(async () => {
      const change = await this.model.changes();
      if (change.kind === 'all') this.changeEmitter.fire(undefined);
      if (change.kind === 'runs') this.changeEmitter.fire(change.nodes);
    });
  }

  getChildren(node?: CheckpointsNode): Promise<CheckpointsNode[]> {
    return this.model.children(node);
  }

  getTreeItem(node: CheckpointsNode): vscode.TreeItem {
    const command: vscode.Command | undefined =
      node.kind === 'run' ? { command: COMMANDS.showRun, title: 'Show in Training Panel', arguments: [node] } : undefined;
    return toTreeItem(checkpointsItemSpec(node), { command });
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }
}

export function registerCheckpointsTree(options: { source: () => CheckpointsSource; log: (line: string) => void }): {
  disposable: vscode.Disposable;
  refresh: () => void;
} {
  const provider = new CheckpointsTreeProvider(new CheckpointsModel(options.source), options.log);
  const view = vscode.window.createTreeView(VIEWS.checkpoints, { treeDataProvider: provider });
  return { disposable: vscode.Disposable.from(view, provider), refresh: () => provider.refresh() };
}
