/**
 * Copies a per-class train/validation/test split of a source folder into <out>/{train,validation,test}/<class>/,
 * like the seed's make_subset. Source files are only read (copied with COPYFILE_EXCL), never moved or changed.
 * The manifest is written last, so a target without one is an unfinished prepare.
 */
import { constants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../util/atomicWrite';
import { UserError } from '../util/errors';
import { describeSourceImbalance } from './classBalance';
import { writeFailure } from '../util/fileErrors';
import { MANIFEST_FILE, createManifest, describeManifest, readManifest, writeManifestAtomic, type Manifest } from './manifest';
import { scanSource, type SkippedFile } from './sourceScan';
import { SUBSET_NAMES, checkSplitCounts, describeShortTest, formatSplit, planSplit, type SplitCounts } from './splitPlan';
import { isInWorkFolderOf } from '../../shared/node/workFolders';
import { DEFAULT_WORK_FOLDER_NAME } from '../../shared/workFolder';
import { makeDirectory } from '../util/makeDirectory';

export interface PrepareProgress {
  copied: number;
  total: number;
}

export interface PrepareOptions {
  source: string;
  out: string;
  counts: SplitCounts;
  /** Replace a non-empty target (removes only its train/, validation/, test/ and manifest). */
  replace?: boolean;
  onProgress?: (progress: PrepareProgress) => void;
  signal?: AbortSignal;
}

export interface PrepareResult {
  manifest: Manifest;
  outDir: string;
  /** Files copied by this call (0 when unchanged). */
  copied: number;
  /** True when the target already held exactly this split. */
  unchanged: boolean;
  /** Source entries that are not part of any class. */
  skipped: SkippedFile[];
  /** Things the user should know, e.g. a short test subset. */
  warnings: string[];
}

const COPY_CONCURRENCY = 8;

type TargetState = { kind: 'empty' } | { kind: 'prepared'; manifest: Manifest } | { kind: 'occupied'; description: string };

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== '' && rel !== '..' && !rel.startsWith('..' + path.sep) && !path.isAbsolute(rel);
}

function isInsideOrSame(child: string, parent: string): boolean {
  return path.resolve(child) === path.resolve(parent) || isInside(child, parent);
}

/** realpath of `target`, or of its nearest existing ancestor joined with the rest. */
async function realpathOfNearest(target: string): Promise<string> {
  const rest: string[] = [];
  let current = target;
  for (;;) {
    try {
      return path.join(await fs.realpath(current), ...rest);
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return target;
      rest.unshift(path.basename(current));
      current = parent;
    }
  }
}

async function checkFolders(options: { source: string; out: string; layout: string }): Promise<void> {
  const { source, out, layout } = options;
  const realOut = await realpathOfNearest(out);
  if (realOut === source) {
    throw new UserError('bad-argument', `The target folder ${out} is the source folder itself. Choose another folder for the prepared split, e.g. ${out}-small.`);
  }
  if (isInside(source, realOut)) {
    throw new UserError(
      'bad-argument',
      `The source folder ${source} is inside the target folder ${out}. Choose a target folder outside the source, e.g. next to it.`,
    );
  }
  // A work folder inside a class-per-folder dataset is never read as a class (sourceScan.ts): copies may go there.
  if (layout === 'class-folders' && isInside(realOut, source) && !isInWorkFolderOf(source, realOut)) {
    throw new UserError(
      'bad-argument',
      `The target folder ${out} is inside the source folder ${source}, whose sub-folders are read as classes, so the ` +
        `prepared copies would be read as a class of their own next time. Choose a target outside the source, or inside a folder named ${DEFAULT_WORK_FOLDER_NAME} there.`,
    );
  }
}

async function sizeOrNull(file: string): Promise<number | null> {
  try {
    const stat = await fs.stat(file);
    return stat.isFile() ? stat.size : null;
  } catch {
    return null;
  }
}

async function listNames(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch {
    return [];
  }
}

/** Counts files missing (or of another size) and extra files in a target that claims to hold `manifest`. */
async function compareWithTarget(options: { manifest: Manifest; outDir: string; sourceDir: string }): Promise<{ missing: number; extra: number }> {
  const { manifest, outDir, sourceDir } = options;
  let missing = 0;
  let extra = 0;
  for (const subset of SUBSET_NAMES) {
    const classNames = new Set(manifest.classes);
    extra += (await listNames(path.join(outDir, subset))).filter((name) => !classNames.has(name)).length;
    for (const className of manifest.classes) {
      const classDir = path.join(outDir, subset, className);
      const expected = manifest.files[subset][className];
      const expectedNames = new Set(expected.map((file) => path.posix.basename(file)));
      extra += (await listNames(classDir)).filter((name) => !expectedNames.has(name)).length;
      for (const file of expected) {
        const copySize = await sizeOrNull(path.join(classDir, path.posix.basename(file)));
        if (copySize === null || copySize !== (await sizeOrNull(path.join(sourceDir, file)))) missing++;
      }
    }
  }
  return { missing, extra };
}

function describeEntries(names: string[]): string {
  const shown = names.slice(0, 5).join(', ');
  const more = names.length > 5 ? ` and ${names.length - 5} more` : '';
  return `${names.length} ${names.length === 1 ? 'entry' : 'entries'} (${shown}${more})`;
}

async function inspectTarget(options: { outDir: string; wanted: Manifest }): Promise<TargetState> {
  const { outDir, wanted } = options;
  let names: string[];
  try {
    const stat = await fs.stat(outDir);
    if (!stat.isDirectory()) {
      throw new UserError('bad-argument', `The target ${outDir} is a file, not a folder. Choose a folder for the prepared split.`);
    }
    names = (await fs.readdir(outDir)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'empty' };
    // ENOTDIR: a file stands where a folder of the target's path must be.
    throw writeFailure(error, outDir) ?? error;
  }
  if (names.length === 0) return { kind: 'empty' };

  let existing: Manifest | null;
  try {
    existing = await readManifest(outDir);
  } catch (error) {
    if (error instanceof UserError) return { kind: 'occupied', description: `${describeEntries(names)} with an unreadable manifest (${error.message})` };
    throw error;
  }
  if (existing === null) {
    const looksPrepared = names.some((name) => (SUBSET_NAMES as readonly string[]).includes(name));
    return {
      kind: 'occupied',
      description:
        `${describeEntries(names)} and no ${MANIFEST_FILE}` +
        (looksPrepared ? ', so it is an unfinished prepare or data from elsewhere' : ''),
    };
  }
  if (existing.id !== wanted.id) {
    return { kind: 'occupied', description: `a different prepared split (${describeManifest(existing)})` };
  }
  const { missing, extra } = await compareWithTarget({ manifest: existing, outDir, sourceDir: wanted.source });
  if (missing > 0 || extra > 0) {
    return {
      kind: 'occupied',
      description: `this same split, but it was changed after it was prepared (${missing} files missing or altered, ${extra} extra entries)`,
    };
  }
  return { kind: 'prepared', manifest: existing };
}

/**
 * Present while a prepare copies (written first, removed after the manifest): a folder holding it is an
 * unfinished split (the copy failed or was killed), which `train` refuses instead of training on part of it.
 */
export const PREPARING_MARKER = '.small-convnet-preparing';

async function clearTarget(outDir: string): Promise<void> {
  for (const name of [...SUBSET_NAMES, MANIFEST_FILE, PREPARING_MARKER]) {
    await fs.rm(path.join(outDir, name), { recursive: true, force: true });
  }
}

interface CopyJob {
  from: string;
  to: string;
}

/** A failed copy as an error a person can act on, naming the file (anything unexpected stays a bug). */
async function copyError(options: { job: CopyJob; error: unknown }): Promise<unknown> {
  const { job, error } = options;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' && (await sizeOrNull(job.from)) === null) {
    return new UserError('not-found', `The source image ${job.from} disappeared while copying. Run the prepare again.`);
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new UserError('bad-data', `Cannot copy ${job.from} to ${job.to}: permission denied. Give this user read access to the source and write access to the target folder, then run the prepare again.`);
  }
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new UserError('bad-data', `Cannot copy ${job.from}: the disk holding ${job.to} is full. Free some space (or choose a target on another disk), then run the prepare again.`);
  }
  if (code === 'EIO' || code === 'EISDIR' || code === 'ELOOP') {
    return new UserError('bad-data', `Cannot copy ${job.from} (${code}). Remove or replace that file, then run the prepare again.`);
  }
  return error;
}

async function copyAll(options: {
  jobs: CopyJob[];
  onProgress?: (progress: PrepareProgress) => void;
  signal?: AbortSignal;
}): Promise<number> {
  const { jobs, onProgress, signal } = options;
  let next = 0;
  let copied = 0;
  let failed = false;
  onProgress?.({ copied: 0, total: jobs.length });
  const worker = async (): Promise<void> => {
    while (!failed && next < jobs.length) {
      const job = jobs[next++];
      try {
        signal?.throwIfAborted();
        await fs.copyFile(job.from, job.to, constants.COPYFILE_EXCL);
        // The copy inherits the source's mode; keep it writable by its owner so it can be replaced later.
        await fs.chmod(job.to, 0o644);
      } catch (error) {
        failed = true;
        // A copy cut short (disk full) must not stay behind as if it were an image of the split.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') await fs.rm(job.to, { force: true }).catch(() => undefined);
        throw await copyError({ job, error });
      }
      copied++;
      onProgress?.({ copied, total: jobs.length });
    }
  };
  await Promise.all(Array.from({ length: Math.min(COPY_CONCURRENCY, jobs.length) }, () => worker()));
  return copied;
}

export async function prepareSubsets(options: PrepareOptions): Promise<PrepareResult> {
  const { counts, signal } = options;
  checkSplitCounts(counts);
  signal?.throwIfAborted();
  const outDir = path.resolve(options.out);

  const scan = await scanSource({ dir: options.source });
  const source = await fs.realpath(scan.dir);
  await checkFolders({ source, out: outDir, layout: scan.layout });
  const plan = planSplit({ scan, counts });
  const shortTest = describeShortTest(plan);
  const sourceImbalance = describeSourceImbalance({ classes: plan.classes, sourceCounts: scan.classes.map((c) => c.files.length), perClass: counts });
  const warnings = [sourceImbalance, shortTest].filter((w): w is string => w !== null);
  const wanted = createManifest({ source, layout: scan.layout, counts, plan });

  // Never list our own output (a work folder inside a flat source) as a skipped source entry.
  const realOut = await realpathOfNearest(outDir);
  const skipped = scan.skipped.filter((entry) => !(entry.file.endsWith('/') && isInsideOrSame(realOut, path.join(source, entry.file))));
  const state = await inspectTarget({ outDir, wanted });
  if (state.kind === 'prepared') {
    return { manifest: state.manifest, outDir, copied: 0, unchanged: true, skipped, warnings };
  }
  if (state.kind === 'occupied') {
    if (options.replace !== true) {
      throw new UserError(
        'target-not-empty',
        `The target folder ${outDir} is not empty: it holds ${state.description}. Choose an empty folder for the ` +
          `${formatSplit(counts)} split, or pass --replace to replace it (this removes only its train/, validation/, test/ and ${MANIFEST_FILE}).`,
      );
    }
    await clearTarget(outDir);
  }

  makeDirectory(outDir);
  writeFileAtomic(path.join(outDir, PREPARING_MARKER), `${process.pid} ${new Date().toISOString()}\n`);
  const jobs: CopyJob[] = [];
  for (const subset of SUBSET_NAMES) {
    for (const className of plan.classes) {
      const classDir = path.join(outDir, subset, className);
      makeDirectory(classDir);
      for (const file of plan.subsets[subset][className]) {
        jobs.push({ from: path.join(source, file), to: path.join(classDir, path.posix.basename(file)) });
      }
    }
  }
  const copied = await copyAll({ jobs, onProgress: options.onProgress, signal });
  signal?.throwIfAborted();
  await writeManifestAtomic(outDir, wanted);
  await fs.rm(path.join(outDir, PREPARING_MARKER), { force: true });
  return { manifest: wanted, outDir, copied, unchanged: false, skipped, warnings };
}
