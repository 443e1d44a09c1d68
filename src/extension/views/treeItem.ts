/** A TreeItemSpec (plain data from the models) as a vscode.TreeItem. */
import * as vscode from 'vscode';
import type { TreeItemSpec } from '../runs/runPresentation';

export function toTreeItem(spec: TreeItemSpec, options: { expanded?: boolean; command?: vscode.Command } = {}): vscode.TreeItem {
  const state = !spec.collapsible
    ? vscode.TreeItemCollapsibleState.None
    : options.expanded
      ? vscode.TreeItemCollapsibleState.Expanded
      : vscode.TreeItemCollapsibleState.Collapsed;
  const item = new vscode.TreeItem(spec.label, state);
  item.id = spec.id;
  item.description = spec.description;
  item.tooltip = new vscode.MarkdownString(spec.tooltip);
  item.iconPath = new vscode.ThemeIcon(spec.icon.id, spec.icon.color !== null ? new vscode.ThemeColor(spec.icon.color) : undefined);
  item.contextValue = spec.contextValue;
  if (spec.path !== '') item.resourceUri = vscode.Uri.file(spec.path);
  if (options.command !== undefined) item.command = options.command;
  return item;
}
