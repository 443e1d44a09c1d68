/**
 * The record a prepared split keeps of itself: where it came from, the rule, and every file per subset/class.
 * Written last (atomically) by prepare, so a folder without one is an unfinished or foreign folder.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeJsonAtomic } from '../util/atomicWrite';
import { UserError } from '../util/errors';
import type { SourceLayout } from './sourceScan';
import { SUBSET_NAMES, formatSplit, type SplitCounts, type SplitPlan } from './splitPlan';

export const MANIFEST_FILE = 'small-convnet-manifest.json';

export interface Manifest {
  version: 1;
  /** First 16 hex chars of sha256 of the canonical JSON of {source, layout, counts, classes, files}. */
  id: string;
  createdAt: string;
  /** Absolute path of the source folder. */
  source: string;
  layout: SourceLayout;
  /** Human description of the split rule. */
  rule: string;
  counts: SplitCounts;
  classes: string[];
  /** subset -> class -> source-relative paths; the copy is <target>/<subset>/<class>/<basename>. */
  files: SplitPlan['subsets'];
}

type ManifestContent = Pick<Manifest, 'source' | 'layout' | 'counts' | 'classes' | 'files'>;

/** JSON with object keys sorted at every level, no whitespace. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((k) => record[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function manifestId(content: ManifestContent): string {
  const { source, layout, counts, classes, files } = content;
  const json = canonicalJson({ source, layout, counts, classes, files });
  return createHash('sha256').update(json).digest('hex').slice(0, 16);
}

export function describeSplitRule(options: { layout: SourceLayout; counts: SplitCounts }): string {
  const { layout, counts } = options;
  const order = layout === 'flat' ? 'by index N' : 'in natural file-name order';
  const rule = `per class: first ${counts.train} ${order} -> train, next ${counts.validation} -> validation`;
  return counts.test > 0 ? `${rule}, next ${counts.test} -> test` : `${rule}, no test images`;
}

export function createManifest(options: {
  source: string;
  layout: SourceLayout;
  counts: SplitCounts;
  plan: SplitPlan;
  createdAt?: Date;
}): Manifest {
  const content: ManifestContent = {
    source: options.source,
    layout: options.layout,
    counts: { train: options.counts.train, validation: options.counts.validation, test: options.counts.test },
    classes: options.plan.classes.slice(),
    files: options.plan.subsets,
  };
  return {
    version: 1,
    id: manifestId(content),
    createdAt: (options.createdAt ?? new Date()).toISOString(),
    source: content.source,
    layout: content.layout,
    rule: describeSplitRule({ layout: content.layout, counts: content.counts }),
    counts: content.counts,
    classes: content.classes,
    files: content.files,
  };
}

/** A relative path that stays inside its folder: not absolute, no '..' or empty segments. */
export function isSafeRelativePath(file: string): boolean {
  if (file.length === 0 || file.includes('\0')) return false;
  if (path.posix.isAbsolute(file) || path.win32.isAbsolute(file)) return false;
  return file.split(/[\\/]/).every((segment) => segment !== '..' && segment !== '' && segment !== '.');
}

function isSafeClassName(name: string): boolean {
  return name.length > 0 && isSafeRelativePath(name) && !/[\\/]/.test(name);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Checks the parsed JSON has a Manifest's shape; returns a description of the first problem, or null. */
function findManifestProblem(value: unknown): string | null {
  if (!isRecord(value)) return 'it is not a JSON object';
  if (value.version !== 1) return `unknown version ${JSON.stringify(value.version)} (expected 1)`;
  for (const key of ['id', 'createdAt', 'source', 'rule'] as const) {
    if (typeof value[key] !== 'string') return `"${key}" is missing or not text`;
  }
  if (value.layout !== 'flat' && value.layout !== 'class-folders') return '"layout" must be "flat" or "class-folders"';
  const counts = value.counts;
  if (!isRecord(counts)) return '"counts" is missing';
  for (const subset of SUBSET_NAMES) {
    const n = counts[subset];
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) return `"counts.${subset}" is not a whole number`;
  }
  const classes = value.classes;
  if (!Array.isArray(classes) || classes.length === 0) return '"classes" is missing or empty';
  for (const name of classes) {
    if (typeof name !== 'string' || !isSafeClassName(name)) return `class name ${JSON.stringify(name)} is not a plain folder name`;
  }
  if (new Set(classes).size !== classes.length) return '"classes" lists a class twice';
  const files = value.files;
  if (!isRecord(files)) return '"files" is missing';
  for (const subset of SUBSET_NAMES) {
    const perClass = files[subset];
    if (!isRecord(perClass)) return `"files.${subset}" is missing`;
    for (const name of classes as string[]) {
      const list = perClass[name];
      if (!Array.isArray(list)) return `"files.${subset}.${name}" is missing`;
      // Test may be short (the source ran out of images; see splitPlan.ts); train and validation are exact.
      const countOk = subset === 'test' ? list.length <= Number(counts[subset]) : list.length === counts[subset];
      if (!countOk) {
        return `"files.${subset}.${name}" lists ${list.length} files but counts.${subset} is ${String(counts[subset])}`;
      }
      for (const file of list) {
        if (typeof file !== 'string' || !isSafeRelativePath(file)) {
          return `the file path ${JSON.stringify(file)} is absolute or leaves the source folder`;
        }
      }
    }
    if (Object.keys(perClass).length !== classes.length) return `"files.${subset}" has classes not listed in "classes"`;
  }
  return null;
}

/** Reads `<dir>/small-convnet-manifest.json`; null when there is none. Throws UserError('bad-data') if it is invalid. */
export async function readManifest(dir: string): Promise<Manifest | null> {
  const file = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const fix = 'Delete it, or prepare the data again with --replace.';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UserError('bad-data', `The manifest ${file} is not valid JSON (${(error as Error).message}). ${fix}`);
  }
  const problem = findManifestProblem(value);
  if (problem !== null) throw new UserError('bad-data', `The manifest ${file} is not valid: ${problem}. ${fix}`);
  const manifest = value as Manifest;
  if (manifestId(manifest) !== manifest.id) {
    throw new UserError('bad-data', `The manifest ${file} was changed after it was written (its id does not match its content). ${fix}`);
  }
  return manifest;
}

/** Writes `<dir>/small-convnet-manifest.json` via a temporary file and a rename, so it is never half-written. */
export async function writeManifestAtomic(dir: string, manifest: Manifest): Promise<void> {
  writeJsonAtomic(path.join(dir, MANIFEST_FILE), manifest);
}

/** "1000/500/1000 from /data/train" */
export function describeManifest(manifest: Manifest): string {
  return `${formatSplit(manifest.counts)} per class of ${manifest.classes.join(', ')} from ${manifest.source}`;
}

/**
 * How the train/ and validation/ folders of a prepared folder differ from its manifest (files deleted, added or
 * renamed by hand since it was prepared), in one phrase naming the first few; null when every file is there.
 * `resume` refuses changed subsets: it would train on other images than the run's first epochs.
 */
export async function describeSubsetChanges(options: { manifest: Manifest; dataDir: string }): Promise<string | null> {
  const { manifest, dataDir } = options;
  const missing: string[] = [];
  const added: string[] = [];
  for (const subset of ['train', 'validation'] as const) {
    for (const className of manifest.classes) {
      const expected = new Set(manifest.files[subset][className].map((file) => path.posix.basename(file)));
      let present: string[];
      try {
        present = (await fs.readdir(path.join(dataDir, subset, className))).filter((name) => !name.startsWith('.'));
      } catch {
        present = [];
      }
      const here = new Set(present);
      for (const name of expected) if (!here.has(name)) missing.push(`${subset}/${className}/${name}`);
      for (const name of present) if (!expected.has(name)) added.push(`${subset}/${className}/${name}`);
    }
  }
  const list = (names: string[]) => names.slice(0, 3).join(', ') + (names.length > 3 ? ` and ${names.length - 3} more` : '');
  const parts = [
    missing.length > 0 ? `${missing.length} file${missing.length === 1 ? '' : 's'} missing (${list(missing)})` : null,
    added.length > 0 ? `${added.length} file${added.length === 1 ? '' : 's'} not in its manifest (${list(added)})` : null,
  ].filter((part): part is string => part !== null);
  return parts.length === 0 ? null : parts.join(', ');
}
