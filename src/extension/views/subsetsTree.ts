/** The "Subsets" view: prepared subsets folders -> subset -> class -> images (click opens the image). */
import * as vscode from 'vscode';
import { VIEWS } from '../ids';
import { SubsetsModel, subsetsItemSpec, type SubsetsNode, type SubsetsSource } from '../subsets/subsetsModel';
import { SerialQueue } from '../util/serialQueue';
import { toTreeItem } from './treeItem';

class SubsetsTreeProvider implements vscode.TreeDataProvider<SubsetsNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changeEmitter.event;

  /** One refresh at a time; a failed one logs and refreshes everything. */
  private readonly refreshes: SerialQueue;

  constructor(
    private readonly model: SubsetsModel,
    log: (line: string) => void,
  ) {
    this.refreshes = new SerialQueue((error) => {
      log(`Refreshing the Subsets view failed: ${String(error)}`);
      this.changeEmitter.fire();
    });
  }

  /** Refreshes the tree when the prepared folders on disk changed. */
  refresh(): void {
    this.refreshes.push(async () => {
      if (await this.model.changed()) this.changeEmitter.fire();
    });
  }

  getChildren(node?: SubsetsNode): Promise<SubsetsNode[]> {
    return this.model.children(node);
  }

  getTreeItem(node: SubsetsNode): vscode.TreeItem {
    const spec = subsetsItemSpec(node);
    const command: vscode.Command | undefined =
      node.kind === 'image' ? { command: 'vscode.open', title: 'Open Image', arguments: [vscode.Uri.file(node.file), { preview: true }] } : undefined;
    const item = toTreeItem(spec, { command, expanded: node.kind === 'folder' });
    if (node.kind !== 'image') item.resourceUri = undefined;
    return item;
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }
}

/** Registers the view; `refresh` reloads it from disk. */
export function registerSubsetsTree(options: { source: () => SubsetsSource; log: (line: string) => void }): { disposable: vscode.Disposable; refresh: () => void } {
  const provider = new SubsetsTreeProvider(new SubsetsModel(options.source), options.log);
  const view = vscode.window.createTreeView(VIEWS.subsets, { treeDataProvider: provider, showCollapseAll: true });
  return { disposable: vscode.Disposable.from(view, provider), refresh: () => provider.refresh() };
}
