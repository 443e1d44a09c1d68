/**
 * A quick look at a folder the person picked, to show what was found before anything is copied: prepared
 * subsets (train/ and validation/ inside), a Kaggle-style flat folder (`cat.1.jpg`, `dog.1.jpg`, ...) or one
 * sub-folder per class. It only counts; the trainer's `prepare` applies the full rules and reports problems.
 * Reads the file system, never writes. No `vscode`.
 */
import { promises as fs, type Dirent } from 'node:fs';
import * as path from 'node:path';
import { CLASS_N_NAME, IMAGE_EXTENSIONS, isImageFileName, notClassFolder } from '../../shared/imageNames';
import { isWorkFolder } from '../../shared/node/workFolders';
import { listFolders, subsetLikeFolders } from '../../shared/splitFolderNames';
import { describeUnreadImages, unreadImageFormat, unreadImagesSentence } from '../../shared/unreadImageFormats';
import { imagesWithoutClassesMessage, isLabelFileName, labelFilesNote } from '../../shared/unsortedImages';
import { SUBSET_NAMES, type SubsetName } from '../../shared/trainerProtocol';

/** The three subsets, in order (declared once in the trainer protocol). */
export const SUBSETS: readonly SubsetName[] = SUBSET_NAMES;

export interface ClassCount {
  name: string;
  count: number;
}

export type FolderScan =
  | { kind: 'prepared'; dir: string; subsets: Record<SubsetName, ClassCount[]> }
  | { kind: 'source'; dir: string; layout: 'flat' | 'class-folders'; classes: ClassCount[]; /** "3 .heic files (…)": images below it that are not read, if any. */ unread?: string }
  | { kind: 'unusable'; dir: string; reason: string; suggestion?: UsableScan };

/** A folder that can be trained on. */
export type UsableScan = Exclude<FolderScan, { kind: 'unusable' }>;


function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function readEntries(dir: string): Promise<Dirent[] | null> {
  try {
    return (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => byName(a.name, b.name));
  } catch {
    return null;
  }
}

async function isFolder(dir: string, entry: Dirent): Promise<boolean> {
  if (entry.isDirectory()) return true;
  if (!entry.isSymbolicLink()) return false;
  try {
    return (await fs.stat(path.join(dir, entry.name))).isDirectory();
  } catch {
    return false;
  }
}

/** Folders never counted: hidden ones, and those archives, NAS boxes and tools add (__MACOSX, @eaDir, node_modules, …). */
function skippedFolder(name: string): boolean {
  return name.startsWith('.') || notClassFolder(name) !== null;
}

/**
 * The images below `dir`, recursively (hidden files and folders skipped, folder links not followed): how many it
 * reads, and the names of those in formats it does not read (HEIC, TIFF, RAW, …).
 */
async function imagesBelow(dir: string): Promise<{ count: number; unread: string[] }> {
  const found = { count: 0, unread: [] as string[] };
  const entries = await readEntries(dir);
  for (const entry of entries ?? []) {
    if (skippedFolder(entry.name)) continue;
    if (entry.isDirectory() && isWorkFolder(path.join(dir, entry.name))) continue;
    if (entry.isDirectory()) {
      const inner = await imagesBelow(path.join(dir, entry.name));
      found.count += inner.count;
      found.unread.push(...inner.unread);
    } else if ((entry.isFile() || entry.isSymbolicLink()) && isImageFileName(entry.name)) found.count += 1;
    else if (unreadImageFormat(entry.name) !== null) found.unread.push(entry.name);
  }
  return found;
}

/** How many images below `dir` it reads (see imagesBelow). */
export async function countImages(dir: string): Promise<number> {
  return (await imagesBelow(dir)).count;
}

/** " It holds 6 .heic files (…), which Small Convnet does not read: convert them …" or ''. */
async function unreadImagesNote(dir: string, holder: string): Promise<string> {
  const sentence = unreadImagesSentence(holder, (await imagesBelow(dir)).unread);
  return sentence === '' ? '' : ` ${sentence}`;
}

/** Non-hidden sub-folders of `dir`, sorted by name. */
async function subFolders(dir: string, entries: Dirent[]): Promise<string[]> {
  const names: string[] = [];
  for (const entry of entries) {
    // Small Convnet's own work folder (prepared subsets, runs) is never a class, as for the trainer.
    if (skippedFolder(entry.name) || !(await isFolder(dir, entry))) continue;
    if (!isWorkFolder(path.join(dir, entry.name))) names.push(entry.name);
  }
  return names;
}

async function countClassFolders(dir: string): Promise<ClassCount[]> {
  const entries = (await readEntries(dir)) ?? [];
  const classes: ClassCount[] = [];
  for (const name of await subFolders(dir, entries)) classes.push({ name, count: await countImages(path.join(dir, name)) });
  return classes;
}

function describeClassList(classes: readonly ClassCount[]): string {
  return classes.map((c) => `${c.name} (${c.count})`).join(', ');
}

function describeInner(scan: UsableScan): string {
  if (scan.kind === 'prepared') return 'prepared train/validation subsets';
  return `${scan.classes.length} classes: ${describeClassList(scan.classes)}`;
}

export async function scanImageFolder(dir: string): Promise<FolderScan> {
  const resolved = path.resolve(dir);
  const entries = await readEntries(resolved);
  if (entries === null) return { kind: 'unusable', dir: resolved, reason: `${resolved} is not a folder that can be read.` };
  const folders = await subFolders(resolved, entries);

  if (folders.includes('train') && folders.includes('validation')) {
    const subsets = { train: [], validation: [], test: [] } as Record<SubsetName, ClassCount[]>;
    for (const subset of SUBSETS) {
      if (folders.includes(subset)) subsets[subset] = await countClassFolders(path.join(resolved, subset));
    }
    return { kind: 'prepared', dir: resolved, subsets };
  }

  const flat = new Map<string, number>();
  for (const entry of entries) {
    const match = CLASS_N_NAME.exec(entry.name);
    if (match !== null && !entry.isDirectory() && isImageFileName(entry.name)) flat.set(match[1], (flat.get(match[1]) ?? 0) + 1);
  }
  const useFlat = folders.length === 0 ? flat.size > 0 : flat.size >= 2;
  const classes = useFlat
    ? [...flat.entries()].sort((a, b) => byName(a[0], b[0])).map(([name, count]) => ({ name, count }))
    : await countClassFolders(resolved);
  const layout = useFlat ? 'flat' : 'class-folders';

  // A dataset that came split (train/ and test/, train/ and val/, …): its subsets are not classes.
  const subsets = useFlat ? null : subsetLikeFolders(classes.map((c) => c.name));
  if (subsets !== null) {
    const inner = await scanImageFolder(path.join(resolved, subsets.train));
    if (inner.kind === 'source') {
      return {
        kind: 'unusable',
        dir: resolved,
        reason:
          `${resolved} looks already split into subsets (${listFolders([subsets.train, ...subsets.heldOut])}), not into classes: ` +
          `${subsets.train}/ holds ${describeInner(inner)}. Use ${subsets.train}: Small Convnet splits its images into training, ` +
          `validation and test subsets. (To keep your own split instead, name the folders train, validation and test.)`,
        suggestion: inner,
      };
    }
  }

  const labelFiles = entries.filter((entry) => !entry.isDirectory() && isLabelFileName(entry.name)).map((entry) => entry.name);
  const withImages = classes.filter((c) => c.count > 0);
  // Images without CLASS.N names and no class folders (Kaggle's unlabelled test1/, or a folder plus labels.csv).
  const unsorted = folders.length === 0 ? entries.filter((entry) => !entry.isDirectory() && isImageFileName(entry.name)).length : 0;
  if (withImages.length === 0 && unsorted > 0) {
    return { kind: 'unusable', dir: resolved, reason: imagesWithoutClassesMessage({ dir: resolved, count: unsorted, labelFiles, separator: path.sep }) };
  }
  if (withImages.length === 0) {
    return {
      kind: 'unusable',
      dir: resolved,
      reason:
        `No images found in ${resolved}. Expected files named CLASS.N.jpg (e.g. cat.1.jpg, dog.1.jpg) ` +
        `or one sub-folder per class holding its images (${IMAGE_EXTENSIONS.join(', ')}).` +
        (await unreadImagesNote(resolved, 'It holds')),
    };
  }
  if (classes.length < 2) {
    // A dataset one folder down (parent/pets/{cat,dog} with "parent" picked): say which folder to pick.
    const inner = classes.length === 1 && !useFlat ? await scanImageFolder(path.join(resolved, classes[0].name)) : null;
    // One more folder down when that folder came split (parent/pets/{train,test}/{cat,dog}): its train/.
    const suggestion = inner === null ? undefined : inner.kind !== 'unusable' ? inner : inner.suggestion;
    const hint = suggestion ? ` ${suggestion.dir} looks like the dataset (${describeInner(suggestion)}): pick that folder.` : '';
    return {
      kind: 'unusable',
      dir: resolved,
      reason: `Only one class found in ${resolved} (${describeClassList(classes)}); a classifier needs at least two.${hint || labelFilesNote(labelFiles)}`,
      ...(suggestion ? { suggestion } : {}),
    };
  }
  const smallest = classes.reduce((a, b) => (b.count < a.count ? b : a));
  if (smallest.count < 2) {
    return {
      kind: 'unusable',
      dir: resolved,
      reason:
        `Class "${smallest.name}" has ${smallest.count === 0 ? 'no images' : 'only one image'} in ${resolved} (found: ${describeClassList(classes)}). ` +
        'Every class needs at least one training and one validation image; is this the right folder?' +
        (layout === 'class-folders' ? await unreadImagesNote(path.join(resolved, smallest.name), `"${smallest.name}" holds`) : ''),
    };
  }
  const unread = describeUnreadImages((await imagesBelow(resolved)).unread);
  return { kind: 'source', dir: resolved, layout, classes, ...(unread === null ? {} : { unread }) };
}

/** Images in the smallest class: what a split must fit into. */
export function smallestClassCount(classes: readonly ClassCount[]): number {
  return classes.reduce((min, c) => Math.min(min, c.count), Number.POSITIVE_INFINITY);
}

/** "cat 2,500 · dog 2,499" */
export function describeClassCounts(classes: readonly ClassCount[], formatCount: (n: number) => string): string {
  return classes.map((c) => `${c.name} ${formatCount(c.count)}`).join(' · ');
}
