/** The "Checkpoints" view: one node per run (status icon, best epoch and metrics), its best checkpoint below. */
import * as vscode from 'vscode';
import { COMMANDS, VIEWS } from '../ids';
import { CheckpointsModel, checkpointsItemSpec, type CheckpointsNode, type CheckpointsSource } from '../runs/checkpointsModel';
import { toTreeItem } from './treeItem';

class CheckpointsTreeProvider implements vscode.TreeDataProvider<CheckpointsNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changeEmitter.event;

  constructor(private readonly model: CheckpointsModel) {}

  refresh(): void {
    this.changeEmitter.fire();
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

export function registerCheckpointsTree(options: { source: () => CheckpointsSource }): { disposable: vscode.Disposable; refresh: () => void } {
  const provider = new CheckpointsTreeProvider(new CheckpointsModel(options.source));
  const view = vscode.window.createTreeView(VIEWS.checkpoints, { treeDataProvider: provider });
  return { disposable: vscode.Disposable.from(view, provider), refresh: () => provider.refresh() };
}
