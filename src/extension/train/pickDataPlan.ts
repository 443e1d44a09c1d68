/**
 * Steps 1-2 of the guided flow: pick the images (a workspace folder, a prepared subsets folder, a folder
 * to browse to, or the built-in demo), see what was found per class, confirm the split.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEMO_IMAGES_PER_CLASS, DEMO_SPLIT, splitOptions, validateSplitInput, parseSplitInput } from '../data/splitChoice';
import { describeClassCounts, scanImageFolder, smallestClassCount, SUBSETS, type FolderScan } from '../data/scanImageFolder';
import { listPreparedFolders } from '../subsets/subsetsStore';
import { formatSplit, type SplitCounts } from '../trainer/trainerArgs';
import { formatCount } from '../util/format';
import type { DataPlan } from './dataPlan';

type SourceChoice = { kind: 'demo' } | { kind: 'folder'; dir: string } | { kind: 'browse' };
interface SourceItem extends vscode.QuickPickItem {
  choice?: SourceChoice;
}
interface SplitItem extends vscode.QuickPickItem {
  counts?: SplitCounts;
  custom?: boolean;
}

async function sourceItems(workFolder: string): Promise<SourceItem[]> {
  const items: SourceItem[] = [
    { label: '$(beaker) Built-in demo data', description: `generated "spots" vs "stripes" pictures, ${DEMO_IMAGES_PER_CLASS} per class`, choice: { kind: 'demo' } },
  ];
  const workspaceFolders = (vscode.workspace.workspaceFolders ?? []).filter((folder) => folder.uri.scheme === 'file');
  if (workspaceFolders.length > 0) {
    items.push({ label: 'Workspace folders', kind: vscode.QuickPickItemKind.Separator });
    for (const folder of workspaceFolders) items.push({ label: `$(folder) ${folder.name}`, description: folder.uri.fsPath, choice: { kind: 'folder', dir: folder.uri.fsPath } });
  }
  const prepared = await listPreparedFolders({ workFolder, extraFolders: [] });
  if (prepared.length > 0) {
    items.push({ label: 'Prepared subsets', kind: vscode.QuickPickItemKind.Separator });
    for (const folder of prepared) {
      const classes = folder.subsets.train.map((c) => c.name).join(', ');
      items.push({ label: `$(database) ${path.basename(folder.dir)}`, description: `${classes} · ${folder.dir}`, choice: { kind: 'folder', dir: folder.dir } });
    }
  }
  items.push({ label: '', kind: vscode.QuickPickItemKind.Separator });
  items.push({ label: '$(folder-opened) Browse…', description: 'a folder of CLASS.N.jpg files, one sub-folder per class, or prepared subsets', choice: { kind: 'browse' } });
  return items;
}

async function browseForFolder(): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Use These Images', title: 'Folder of images' });
  return picked?.[0]?.fsPath;
}

async function pickSplit(options: { title: string; perClass: number; choices: { counts: SplitCounts; note: string }[]; placeHolder?: string }): Promise<SplitCounts | undefined> {
  const items: SplitItem[] = options.choices.map((choice) => ({ label: formatSplit(choice.counts), description: choice.note, counts: choice.counts }));
  items.push({ label: 'Custom split…', description: 'images per class as TRAIN/VALIDATION/TEST', custom: true });
  const picked = await vscode.window.showQuickPick(items, {
    title: options.title,
    placeHolder: options.placeHolder ?? 'Images per class copied to train / validation / test (the seed: 1000/500/1000)',
    ignoreFocusOut: true,
  });
  if (picked === undefined) return undefined;
  if (picked.counts !== undefined) return picked.counts;
  const text = await vscode.window.showInputBox({
    title: options.title,
    prompt: `Images per class for train/validation/test; the smallest class has ${formatCount(options.perClass)} images`,
    value: options.choices[0] !== undefined ? formatSplit(options.choices[0].counts) : '',
    validateInput: (value) => validateSplitInput(value, options.perClass),
    ignoreFocusOut: true,
  });
  if (text === undefined) return undefined;
  const parsed = parseSplitInput(text, options.perClass);
  return 'counts' in parsed ? parsed.counts : undefined;
}

function describePrepared(scan: Extract<FolderScan, { kind: 'prepared' }>): string {
  return SUBSETS.map((subset) => `${subset}: ${describeClassCounts(scan.subsets[subset], formatCount) || 'none'}`).join(' — ');
}

/** What to do with a scanned folder: a DataPlan, 'again' (pick another folder) or undefined (cancelled). */
async function planForScan(scan: FolderScan, title: string): Promise<DataPlan | 'again' | undefined> {
  switch (scan.kind) {
    case 'unusable': {
      // The dataset one folder down: offer it at once.
      const use = scan.suggestion ? `Use ${path.basename(scan.suggestion.dir)}` : undefined;
      const choice = await vscode.window.showWarningMessage(scan.reason, ...(use ? [use] : []), 'Pick Another Folder');
      if (use !== undefined && choice === use && scan.suggestion) return planForScan(scan.suggestion, title);
      return choice === undefined ? undefined : 'again';
    }
    case 'prepared': {
      const picked = await vscode.window.showQuickPick(
        [{ label: '$(check) Use these subsets as they are', detail: describePrepared(scan) }],
        { title: `${title}: prepared subsets in ${path.basename(scan.dir)}`, ignoreFocusOut: true },
      );
      return picked === undefined ? undefined : { kind: 'prepared', dir: scan.dir };
    }
    case 'source': {
      const perClass = smallestClassCount(scan.classes);
      const layout = scan.layout === 'flat' ? 'CLASS.N files' : 'class folders';
      const choices = splitOptions(perClass);
      const split = await pickSplit({
        title: `Found ${scan.classes.length} classes (${layout}): ${describeClassCounts(scan.classes, formatCount)}`,
        perClass,
        choices,
        // Images it cannot read are not in these counts: say so where the split is chosen.
        placeHolder: scan.unread === undefined ? undefined : `Not counted: ${scan.unread}, which Small Convnet does not read (convert them to JPEG or PNG to use them)`,
      });
      return split === undefined ? undefined : { kind: 'source', dir: scan.dir, split };
    }
  }
}

export async function pickDataPlan(options: { workFolder: string; title: string }): Promise<DataPlan | undefined> {
  for (;;) {
    const picked = await vscode.window.showQuickPick(await sourceItems(options.workFolder), {
      title: `${options.title}: images`,
      placeHolder: 'Which images? (Kaggle Dogs vs. Cats train/ works as it is)',
      ignoreFocusOut: true,
      matchOnDescription: true,
    });
    const choice = picked?.choice;
    if (choice === undefined) return undefined;
    if (choice.kind === 'demo') {
      const split = await pickSplit({
        title: `Built-in demo data: ${DEMO_IMAGES_PER_CLASS} generated images per class (spots, stripes)`,
        perClass: DEMO_IMAGES_PER_CLASS,
        choices: [{ counts: { ...DEMO_SPLIT }, note: "the demo's split" }],
      });
      return split === undefined ? undefined : { kind: 'demo', split };
    }
    const dir = choice.kind === 'browse' ? await browseForFolder() : choice.dir;
    if (dir === undefined) continue;
    const scan = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Small Convnet: looking at ${path.basename(dir)}…` }, () => scanImageFolder(dir));
    const plan = await planForScan(scan, options.title);
    if (plan !== 'again') return plan;
  }
}
