/**
 * Lists the images of a source folder, per class, in the order a split takes them.
 *
 * Two layouts are recognised:
 * - flat (Kaggle Dogs vs. Cats): `CLASS.N.ext` files in one folder; class = prefix, ordered by the integer N;
 * - class-folders (Keras image_dataset_from_directory): one sub-folder per class, walked recursively,
 *   files in natural order of their path relative to the class folder.
 * Folders that are never classes (__MACOSX, @eaDir, …) and files it does not read are listed as skipped with
 * why. Refused, each with what to do: no images, one class, images without classes (a label file beside them),
 * a dataset that came split (train/ and test/ holding the class folders), photos of formats it does not read.
 * Nothing is ever written.
 */
import { CLASS_N_NAME, compareCodePoints, extensionOf, IMAGE_EXTENSIONS, isImageName, naturalCompare, notClassFolder } from '../../shared/imageNames';
import { constants as fsConstants, promises as fs, type Dirent } from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../util/errors';
import { isWorkFolder } from '../../shared/node/workFolders';
import { listFolders, subsetLikeFolders } from '../../shared/splitFolderNames';
import { unreadImageFormat, unreadImagesSentence } from '../../shared/unreadImageFormats';
import { imagesWithoutClassesMessage, isLabelFileName, labelFilesNote } from '../../shared/unsortedImages';

export type SourceLayout = 'flat' | 'class-folders';

export interface SkippedFile {
  /** Path relative to the scanned folder (folders end with '/'). */
  file: string;
  reason: string;
}

export interface SourceClass {
  name: string;
  /** Paths relative to the scanned folder, '/'-separated, in split order. */
  files: string[];
}

export interface SourceScan {
  /** Absolute path of the scanned folder. */
  dir: string;
  layout: SourceLayout;
  /** Sorted alphabetically (by code point, like Python's sorted()). */
  classes: SourceClass[];
  skipped: SkippedFile[];
}

export interface ClassFolderScan {
  dir: string;
  classes: SourceClass[];
  skipped: SkippedFile[];
}

const SYSTEM_FILES = new Set(['thumbs.db', 'desktop.ini', 'ehthumbs.db']);

/** Why a file name is not read as an image, or null when it is an image name. */
function reasonToSkipFile(name: string): string | null {
  if (name.startsWith('.')) return 'hidden file';
  if (SYSTEM_FILES.has(name.toLowerCase())) return 'system file';
  const unread = unreadImageFormat(name);
  if (unread !== null) return `${unread}, which Small Convnet does not read; convert it to JPEG or PNG`;
  if (!isImageName(name)) {
    const ext = extensionOf(name);
    return ext === ''
      ? 'no file extension; expected one of ' + IMAGE_EXTENSIONS.join(', ')
      : `not an image (.${ext}); expected one of ${IMAGE_EXTENSIONS.join(', ')}`;
  }
  return null;
}

type EntryKind = { kind: 'file' | 'dir' | 'dir-link' } | { kind: 'other'; reason: string };

/** Why a symbolic link cannot be followed, from the error of stat() on it. */
function brokenLinkReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') return 'symbolic link loop (the link points back to itself)';
  if (code === 'ENOENT') return 'broken symbolic link (the file it points to does not exist)';
  return `symbolic link that cannot be followed (${code ?? String(error)})`;
}

/** Resolves an entry (following a link to a file, not to a folder) to what the scan does with it. */
async function kindOf(full: string, entry: Dirent): Promise<EntryKind> {
  if (entry.isFile()) return { kind: 'file' };
  if (entry.isDirectory()) return { kind: 'dir' };
  if (entry.isSymbolicLink()) {
    try {
      const stat = await fs.stat(full);
      if (stat.isFile()) return { kind: 'file' };
      if (stat.isDirectory()) return { kind: 'dir-link' };
    } catch (error) {
      return { kind: 'other', reason: brokenLinkReason(error) };
    }
  }
  return { kind: 'other', reason: 'not a regular file (a named pipe, socket or device)' };
}

/** Why an image file cannot be used although its name is fine (empty, unreadable), or null. */
async function reasonToSkipContent(full: string): Promise<string | null> {
  try {
    const stat = await fs.stat(full);
    if (stat.size === 0) return 'empty file (0 bytes)';
    await fs.access(full, fsConstants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return 'permission denied: this user may not read it (give read access, e.g. chmod a+r)';
    return `cannot be read (${code ?? String(error)})`;
  }
  return null;
}

/** Why a file entry is not read as an image (by name, then by content), or null when it is one. */
async function reasonToSkipImage(full: string, name: string): Promise<string | null> {
  return reasonToSkipFile(name) ?? (await reasonToSkipContent(full));
}

async function readFolder(dir: string): Promise<Dirent[]> {
  let stat;
  try {
    stat = await fs.stat(dir);
  } catch {
    throw new UserError('not-found', `The image folder ${dir} does not exist. Check the path, or create it and put the images there.`);
  }
  if (!stat.isDirectory()) {
    throw new UserError('bad-data', `${dir} is a file, not a folder. Pass the folder that holds the images (or the class sub-folders).`);
  }
  const entries = await fs.readdir(dir, { withFileTypes: true });
  return entries.sort((x, y) => compareCodePoints(x.name, y.name));
}

/** Walks one class folder recursively; returns '/'-joined paths relative to `root` in natural order. */
async function walkClassFolder(options: { root: string; relative: string; skipped: SkippedFile[] }): Promise<string[]> {
  const { root, relative, skipped } = options;
  const entries = (await fs.readdir(path.join(root, relative), { withFileTypes: true })).sort((x, y) =>
    compareCodePoints(x.name, y.name),
  );
  const files: string[] = [];
  for (const entry of entries) {
    const rel = `${relative}/${entry.name}`;
    const full = path.join(root, rel);
    const entryKind = await kindOf(full, entry);
    if (entryKind.kind === 'dir') {
      const notClass = notClassFolder(entry.name);
      if (entry.name.startsWith('.')) skipped.push({ file: rel + '/', reason: 'hidden folder' });
      else if (notClass !== null) skipped.push({ file: rel + '/', reason: `${notClass}, not images of a class` });
      else files.push(...(await walkClassFolder({ root, relative: rel, skipped })));
    } else if (entryKind.kind === 'dir-link') {
      skipped.push({ file: rel + '/', reason: 'link to a folder (not followed)' });
    } else if (entryKind.kind === 'other') {
      skipped.push({ file: rel, reason: entryKind.reason });
    } else {
      const reason = await reasonToSkipImage(full, entry.name);
      if (reason === null) files.push(rel);
      else skipped.push({ file: rel, reason });
    }
  }
  return files;
}

function sortClassFiles(files: string[], className: string): string[] {
  const prefix = className.length + 1;
  return files.sort((a, b) => naturalCompare(a.slice(prefix), b.slice(prefix)));
}

/**
 * Reads a folder with one sub-folder per class (Keras image_dataset_from_directory layout).
 * Files directly inside `dir` are ignored (not listed as skipped); a class folder may be empty.
 * Does not check how many classes there are.
 */
export async function scanClassFolders(options: { dir: string }): Promise<ClassFolderScan> {
  const dir = path.resolve(options.dir);
  const entries = await readFolder(dir);
  const skipped: SkippedFile[] = [];
  const classes: SourceClass[] = [];
  for (const entry of entries) {
    const { kind } = await kindOf(path.join(dir, entry.name), entry);
    if (kind !== 'dir' && kind !== 'dir-link') continue;
    if (entry.name.startsWith('.')) {
      skipped.push({ file: entry.name + '/', reason: 'hidden folder' });
      continue;
    }
    const notClass = notClassFolder(entry.name);
    if (notClass !== null) {
      skipped.push({ file: entry.name + '/', reason: `${notClass}, not a class` });
      continue;
    }
    // Small Convnet's own work folder (a dataset opened as the workspace holds it): not a class, not a problem.
    if (isWorkFolder(path.join(dir, entry.name))) continue;
    const files = await walkClassFolder({ root: dir, relative: entry.name, skipped });
    classes.push({ name: entry.name, files: sortClassFiles(files, entry.name) });
  }
  return { dir, classes, skipped };
}

interface FlatEntry {
  file: string;
  className: string;
  index: bigint;
}

function describeClasses(classes: SourceClass[]): string {
  return classes.map((c) => `${c.name} (${c.files.length})`).join(', ');
}

/**
 * "It holds 6 .heic files (HEIC, the iPhone photo format), which Small Convnet does not read: convert them
 * …" for the images of formats it does not read among the skipped files (of one class, or of the whole folder
 * when `className` is null); '' when there are none.
 */
export function unreadImagesNote(scan: Pick<SourceScan, 'layout' | 'skipped'>, className: string | null): string {
  const ofClass = (file: string) =>
    className === null ||
    (scan.layout === 'class-folders' ? file.startsWith(`${className}/`) : !file.includes('/') && CLASS_N_NAME.exec(file)?.[1] === className);
  const names = scan.skipped.map((s) => s.file).filter(ofClass).map((file) => path.posix.basename(file));
  return unreadImagesSentence(className === null ? 'It holds' : `"${className}" also holds`, names);
}

const NOT_CLASS_N = 'name is not CLASS.N.ext (e.g. cat.12.jpg)';

function prefixed(note: string): string {
  return note === '' ? '' : ` ${note}`;
}

/** Reads a source folder in either layout and checks it has at least two classes with images. */
export async function scanSource(options: { dir: string }): Promise<SourceScan> {
  const dir = path.resolve(options.dir);
  const entries = await readFolder(dir);

  const flat: FlatEntry[] = [];
  const topLevelSkipped: SkippedFile[] = [];
  const folders: Dirent[] = [];
  for (const entry of entries) {
    const entryKind = await kindOf(path.join(dir, entry.name), entry);
    if (entryKind.kind === 'dir' || entryKind.kind === 'dir-link') {
      const notClass = notClassFolder(entry.name);
      if (entry.name.startsWith('.')) topLevelSkipped.push({ file: entry.name + '/', reason: 'hidden folder' });
      else if (notClass !== null) topLevelSkipped.push({ file: entry.name + '/', reason: `${notClass}, not a class` });
      else if (!isWorkFolder(path.join(dir, entry.name))) folders.push(entry);
      continue;
    }
    if (entryKind.kind === 'other') {
      topLevelSkipped.push({ file: entry.name, reason: entryKind.reason });
      continue;
    }
    const reason = await reasonToSkipImage(path.join(dir, entry.name), entry.name);
    if (reason !== null) {
      topLevelSkipped.push({ file: entry.name, reason });
      continue;
    }
    const match = CLASS_N_NAME.exec(entry.name);
    if (match === null) {
      topLevelSkipped.push({ file: entry.name, reason: NOT_CLASS_N });
      continue;
    }
    flat.push({ file: entry.name, className: match[1], index: BigInt(match[2]) });
  }

  const flatClassNames = [...new Set(flat.map((f) => f.className))].sort(compareCodePoints);
  const useFlat = folders.length === 0 ? flat.length > 0 : flatClassNames.length >= 2;

  const labelFiles = entries.filter((entry) => !entry.isDirectory() && isLabelFileName(entry.name)).map((entry) => entry.name);
  const unsorted = topLevelSkipped.filter((s) => s.reason === NOT_CLASS_N).length;
  if (!useFlat && folders.length === 0 && unsorted > 0) {
    throw new UserError('bad-data', imagesWithoutClassesMessage({ dir, count: unsorted, labelFiles, separator: path.sep }));
  }
  if (entries.length === 0 || (!useFlat && folders.length === 0)) {
    throw new UserError(
      'not-found',
      `No images found in ${dir}. Expected either files named CLASS.N.jpg (e.g. cat.1.jpg, dog.1.jpg) ` +
        'or one sub-folder per class holding its images.' +
        prefixed(unreadImagesNote({ layout: 'flat', skipped: topLevelSkipped }, null)),
    );
  }

  let scan: SourceScan;
  if (useFlat) {
    const skipped = [
      ...topLevelSkipped,
      ...folders.map((f) => ({ file: f.name + '/', reason: 'sub-folder ignored: this folder uses the flat CLASS.N.ext layout' })),
    ];
    const classes = flatClassNames.map((name) => ({
      name,
      files: flat
        .filter((f) => f.className === name)
        .sort((a, b) => (a.index < b.index ? -1 : a.index > b.index ? 1 : compareCodePoints(a.file, b.file)))
        .map((f) => f.file),
    }));
    scan = { dir, layout: 'flat', classes, skipped };
  } else {
    const folderScan = await scanClassFolders({ dir });
    const outside = 'file outside the class folders';
    const skipped = [
      ...topLevelSkipped
        .filter((s) => !s.file.endsWith('/'))
        .map((s) => (isImageName(s.file) && !s.file.startsWith('.') ? { file: s.file, reason: outside } : s)),
      ...flat.map((f) => ({ file: f.file, reason: outside })),
      ...folderScan.skipped,
    ];
    scan = { dir, layout: 'class-folders', classes: folderScan.classes, skipped };
  }

  const classNames = scan.classes.map((c) => c.name);
  if (scan.layout === 'class-folders' && classNames.includes('train') && classNames.includes('validation')) {
    throw new UserError(
      'bad-data',
      `${dir} holds train/ and validation/ sub-folders, so it is already split into subsets, not a folder of ` +
        'class images. Use it as the prepared data folder directly, or pass the folder the images came from.',
    );
  }
  const subsets = scan.layout === 'class-folders' ? subsetLikeFolders(classNames) : null;
  if (subsets !== null) {
    const inner = (await scanClassFolders({ dir: path.join(dir, subsets.train) })).classes.filter((c) => c.files.length > 0);
    if (inner.length >= 2) {
      throw new UserError(
        'bad-data',
        `${dir} looks already split into subsets (${listFolders([subsets.train, ...subsets.heldOut])}), not into classes: ` +
          `${subsets.train}/ holds the class folders ${inner.map((c) => c.name).join(', ')}. Pass ${path.join(dir, subsets.train)} to let ` +
          `Small Convnet split its images into training, validation and test subsets; or, to keep your split, name the ` +
          `folders train/ and validation/ (and test/) and pass ${dir} as the prepared data.`,
      );
    }
  }
  const withImages = scan.classes.filter((c) => c.files.length > 0);
  if (withImages.length === 0) {
    throw new UserError(
      'not-found',
      `No images found in ${dir} (classes found: ${describeClasses(scan.classes)}). ` +
        (unreadImagesNote(scan, null) || `Put .jpg/.png images in the class folders.`),
    );
  }
  if (scan.classes.length < 2) {
    const only = scan.classes[0];
    throw new UserError(
      'bad-data',
      `Only one class ("${only.name}", ${only.files.length} images) found in ${dir}; a classifier needs at least two. ` +
        (scan.layout === 'flat'
          ? 'Add images of another class named OTHER.N.jpg (e.g. dog.1.jpg next to cat.1.jpg).'
          : 'Add a second sub-folder holding the images of another class.') +
        labelFilesNote(labelFiles),
    );
  }
  return scan;
}
