/**
 * Prepared subsets folders (train/, validation/, test/ with one sub-folder per class) for the Subsets view:
 * found under the work folder by their manifest (`small-convnet-manifest.json`, written by `prepare`), plus
 * the data folders runs were trained on. Counts come from the folders on disk. No `vscode`.
 */
import { promises as fs, type Dirent } from 'node:fs';
import * as path from 'node:path';
import type { SubsetName } from '../../shared/trainerProtocol';
import { isImageFileName } from '../../shared/imageNames';
import { SUBSETS, type ClassCount } from '../data/scanImageFolder';
import { naturalCompare } from '../../shared/imageNames';
import { isRecord, readJsonFile } from '../util/readJson';

export const MANIFEST_FILE = 'small-convnet-manifest.json';
/** How deep below the work folder manifests are looked for (data/<name>/, demo/subsets/). */
const MANIFEST_SEARCH_DEPTH = 3;
const SKIPPED_FOLDERS: ReadonlySet<string> = new Set(['runs', 'preview', 'node_modules', 'train', 'validation', 'test', 'checkpoints']);

export interface ManifestSummary {
  id: string;
  source: string;
  rule: string;
  counts: { train: number; validation: number; test: number };
  classes: string[];
  createdAt: string;
}

export interface PreparedFolder {
  dir: string;
  manifest: ManifestSummary | null;
  subsets: Record<SubsetName, ClassCount[]>;
}

export interface ClassImages {
  /** Absolute paths, in natural order, at most `limit`. */
  files: string[];
  total: number;
}

function readManifestSummary(value: unknown): ManifestSummary | null {
  if (!isRecord(value) || value.version !== 1 || !isRecord(value.counts) || !Array.isArray(value.classes)) return null;
  const { id, source, rule, createdAt, counts, classes } = value;
  if (typeof id !== 'string' || typeof source !== 'string' || typeof rule !== 'string') return null;
  const numbers = [counts.train, counts.validation, counts.test];
  if (!numbers.every((n) => typeof n === 'number') || !classes.every((c) => typeof c === 'string')) return null;
  return {
    id,
    source,
    rule,
    createdAt: typeof createdAt === 'string' ? createdAt : '',
    counts: { train: counts.train as number, validation: counts.validation as number, test: counts.test as number },
    classes: classes as string[],
  };
}

async function readDir(dir: string): Promise<Dirent[]> {
  try {
    return await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

async function isDirectory(dir: string): Promise<boolean> {
  try {
    return (await fs.stat(dir)).isDirectory();
  } catch {
    return false;
  }
}

export async function isPreparedFolder(dir: string): Promise<boolean> {
  return (await isDirectory(path.join(dir, 'train'))) && (await isDirectory(path.join(dir, 'validation')));
}

/** Folders holding a manifest, below `workFolder` (not inside runs/ or a subset folder). */
export async function findManifestFolders(workFolder: string, depth = MANIFEST_SEARCH_DEPTH): Promise<string[]> {
  const entries = await readDir(workFolder);
  const found = entries.some((entry) => entry.isFile() && entry.name === MANIFEST_FILE) ? [path.resolve(workFolder)] : [];
  if (depth === 0) return found;
  const children = entries.filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && !SKIPPED_FOLDERS.has(entry.name));
  for (const child of children) found.push(...(await findManifestFolders(path.join(workFolder, child.name), depth - 1)));
  return found;
}

/** Image files (names) directly in a class folder, in natural order. */
async function imageNames(classDir: string): Promise<string[]> {
  return (await readDir(classDir))
    .filter((entry) => (entry.isFile() || entry.isSymbolicLink()) && isImageFileName(entry.name))
    .map((entry) => entry.name)
    .sort(naturalCompare);
}

async function classCounts(subsetDir: string): Promise<ClassCount[]> {
  const classes = (await readDir(subsetDir)).filter((entry) => entry.isDirectory() && !entry.name.startsWith('.')).map((entry) => entry.name);
  classes.sort();
  return Promise.all(classes.map(async (name) => ({ name, count: (await imageNames(path.join(subsetDir, name))).length })));
}

export async function readPreparedFolder(dir: string): Promise<PreparedFolder | null> {
  const resolved = path.resolve(dir);
  if (!(await isPreparedFolder(resolved))) return null;
  const manifest = readManifestSummary(await readJsonFile(path.join(resolved, MANIFEST_FILE)));
  const [train, validation, test] = await Promise.all(SUBSETS.map((subset) => classCounts(path.join(resolved, subset))));
  return { dir: resolved, manifest, subsets: { train, validation, test } };
}

/** The prepared folders under the work folder plus `extraFolders` (e.g. runs' data folders), each once, sorted. */
export async function listPreparedFolders(options: { workFolder: string; extraFolders: readonly string[] }): Promise<PreparedFolder[]> {
  const candidates = [...new Set([...(await findManifestFolders(options.workFolder)), ...options.extraFolders.map((dir) => path.resolve(dir))])];
  const folders = await Promise.all(candidates.map((dir) => readPreparedFolder(dir)));
  return folders.filter((folder): folder is PreparedFolder => folder !== null).sort((a, b) => naturalCompare(a.dir, b.dir));
}

export async function listClassImages(options: { dir: string; subset: SubsetName; className: string; limit: number }): Promise<ClassImages> {
  const classDir = path.join(options.dir, options.subset, options.className);
  const names = await imageNames(classDir);
  return { files: names.slice(0, options.limit).map((name) => path.join(classDir, name)), total: names.length };
}

export function subsetTotal(classes: readonly ClassCount[]): number {
  return classes.reduce((sum, c) => sum + c.count, 0);
}
