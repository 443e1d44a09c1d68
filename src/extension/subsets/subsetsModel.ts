/**
 * The Subsets view's tree as plain data: prepared folder -> train/validation/test -> class (image count) ->
 * images (the first IMAGE_LIMIT, then a "… N more" node); no nodes when nothing is prepared (the view's
 * welcome text shows then). views/subsetsTree.ts maps the nodes to TreeItems.
 * No `vscode`.
 */
import * as path from 'node:path';
import type { SubsetName } from '../../shared/trainerProtocol';
import { CONTEXT_VALUES } from '../ids';
import type { TreeItemSpec } from '../runs/runPresentation';
import { listRuns } from '../runs/runStore';
import { formatCount } from '../util/format';
import { listClassImages, listPreparedFolders, subsetTotal, type PreparedFolder } from './subsetsStore';

export const IMAGE_LIMIT = 200;

export type SubsetsNode =
  | { kind: 'folder'; folder: PreparedFolder }
  | { kind: 'subset'; folder: PreparedFolder; subset: SubsetName }
  | { kind: 'class'; folder: PreparedFolder; subset: SubsetName; className: string; count: number }
  | { kind: 'image'; file: string }
  | { kind: 'more'; classDir: string; remaining: number };

export interface SubsetsSource {
  workFolder: string;
}

function splitText(folder: PreparedFolder): string {
  const perClass = (subset: SubsetName) => Math.max(0, ...folder.subsets[subset].map((c) => c.count));
  return `${perClass('train')}/${perClass('validation')}/${perClass('test')} per class`;
}

export class SubsetsModel {
  /** What the tree was last given at its root (the folders with their counts), to skip refreshes that change nothing. */
  private listed: string | null = null;

  constructor(private readonly source: () => SubsetsSource) {}

  private async folders(): Promise<PreparedFolder[]> {
    const { workFolder } = this.source();
    // Prepared folders used as they are may live outside the work folder: the runs name them.
    const runDataFolders = (await listRuns(workFolder)).map((run) => run.record.dataDir).filter((dir) => path.isAbsolute(dir));
    return listPreparedFolders({ workFolder, extraFolders: runDataFolders });
  }

  async children(node: SubsetsNode | undefined): Promise<SubsetsNode[]> {
    if (node === undefined) {
      const folders = await this.folders();
      this.listed = JSON.stringify(folders);
      return folders.map((folder) => ({ kind: 'folder', folder }));
    }
    switch (node.kind) {
      case 'folder':
        return (['train', 'validation', 'test'] as const).map((subset) => ({ kind: 'subset', folder: node.folder, subset }));
      case 'subset':
        return node.folder.subsets[node.subset].map((c) => ({ kind: 'class', folder: node.folder, subset: node.subset, className: c.name, count: c.count }));
      case 'class': {
        const images = await listClassImages({ dir: node.folder.dir, subset: node.subset, className: node.className, limit: IMAGE_LIMIT });
        const nodes: SubsetsNode[] = images.files.map((file) => ({ kind: 'image', file }));
        if (images.total > images.files.length) {
          nodes.push({ kind: 'more', classDir: path.join(node.folder.dir, node.subset, node.className), remaining: images.total - images.files.length });
        }
        return nodes;
      }
      default:
        return [];
    }
  }

  /**
   * Whether the prepared folders differ from what the tree was last given. Files change in the work folder all
   * the time while a run trains; refreshing the whole tree for nothing would make VS Code drop the children of
   * a node being expanded at that moment.
   */
  async changed(): Promise<boolean> {
    if (this.listed === null) return true;
    return JSON.stringify(await this.folders()) !== this.listed;
  }
}

export function subsetsItemSpec(node: SubsetsNode): TreeItemSpec {
  switch (node.kind) {
    case 'folder': {
      const { folder } = node;
      const classes = folder.subsets.train.map((c) => c.name).join(', ');
      const manifest = folder.manifest;
      return {
        id: `folder:${folder.dir}`,
        label: path.basename(folder.dir) === 'subsets' ? path.basename(path.dirname(folder.dir)) : path.basename(folder.dir),
        description: `${splitText(folder)} · ${classes}`,
        tooltip: [
          `**${folder.dir}**`,
          manifest !== null ? `Copied from ${manifest.source}` : 'Prepared by hand (no manifest)',
          manifest !== null ? `Rule: ${manifest.rule}` : '',
          manifest !== null ? `Manifest ${manifest.id}, ${manifest.createdAt}` : '',
        ]
          .filter((line) => line !== '')
          .join('  \n'),
        icon: { id: 'database', color: null },
        contextValue: CONTEXT_VALUES.subsetsFolder,
        collapsible: true,
        path: folder.dir,
      };
    }
    case 'subset': {
      const classes = node.folder.subsets[node.subset];
      const total = subsetTotal(classes);
      return {
        id: `subset:${node.folder.dir}:${node.subset}`,
        label: node.subset,
        description: `${formatCount(total)} images`,
        tooltip: classes.map((c) => `${c.name}: ${formatCount(c.count)}`).join('  \n') || 'empty',
        icon: { id: 'folder-library', color: null },
        contextValue: 'smallConvnetSubset',
        collapsible: classes.length > 0,
        path: path.join(node.folder.dir, node.subset),
      };
    }
    case 'class': {
      const dir = path.join(node.folder.dir, node.subset, node.className);
      return {
        id: `class:${dir}`,
        label: node.className,
        description: `${formatCount(node.count)} images`,
        tooltip: dir,
        icon: { id: 'symbol-folder', color: null },
        contextValue: 'smallConvnetClass',
        collapsible: node.count > 0,
        path: dir,
      };
    }
    case 'image':
      return {
        id: `image:${node.file}`,
        label: path.basename(node.file),
        description: '',
        tooltip: node.file,
        icon: { id: 'file-media', color: null },
        contextValue: CONTEXT_VALUES.subsetImage,
        collapsible: false,
        path: node.file,
      };
    case 'more':
      return {
        id: `more:${node.classDir}`,
        label: `… ${formatCount(node.remaining)} more`,
        description: '',
        tooltip: `Only the first ${IMAGE_LIMIT} images are listed; the others are in ${node.classDir}.`,
        icon: { id: 'ellipsis', color: null },
        contextValue: 'smallConvnetMore',
        collapsible: false,
        path: node.classDir,
      };
  }
}
