/** The workspace the test opens: a folder holding a copy of the first photos per class of Dogs vs. Cats. */
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const FLAT_NAME = /^(cat|dog)\.(\d+)\.jpg$/;

/** Copies the `perClass` lowest-numbered cat.N.jpg and dog.N.jpg of `source` into `dir`; returns the copied names. */
export function makeWorkspace(options: { source: string; dir: string; perClass: number }): Map<string, string[]> {
  const byClass = new Map<string, { n: number; name: string }[]>();
  for (const name of readdirSync(options.source)) {
    const match = FLAT_NAME.exec(name);
    if (match === null) continue;
    const list = byClass.get(match[1]) ?? [];
    list.push({ n: Number(match[2]), name });
    byClass.set(match[1], list);
  }
  mkdirSync(options.dir, { recursive: true });
  const copied = new Map<string, string[]>();
  for (const cls of ['cat', 'dog']) {
    const names = (byClass.get(cls) ?? []).sort((a, b) => a.n - b.n).slice(0, options.perClass).map((f) => f.name);
    if (names.length < options.perClass) {
      throw new Error(`${options.source} has only ${names.length} ${cls}.N.jpg photos; the end-to-end test needs ${options.perClass} per class.`);
    }
    for (const name of names) copyFileSync(join(options.source, name), join(options.dir, name));
    copied.set(cls, names);
  }
  return copied;
}

/**
 * A class-per-folder dataset: `dir/<class>/` for each class, each with `perClass` photos of `source` taken in
 * order after the first `skip` per kind (a class named in `from` takes the photos of that kind, e.g. a third
 * class of cat photos). Returns the copied names per class.
 */
export function makeClassFolders(options: { source: string; dir: string; perClass: number; skip: number; from: Record<string, 'cat' | 'dog'> }): Map<string, string[]> {
  const used = new Map<string, number>();
  const copied = new Map<string, string[]>();
  const sorted = (kind: string) =>
    readdirSync(options.source)
      .map((name) => FLAT_NAME.exec(name))
      .filter((m): m is RegExpExecArray => m !== null && m[1] === kind)
      .sort((a, b) => Number(a[2]) - Number(b[2]))
      .map((m) => m[0]);
  for (const [cls, kind] of Object.entries(options.from)) {
    const start = options.skip + (used.get(kind) ?? 0);
    const names = sorted(kind).slice(start, start + options.perClass);
    if (names.length < options.perClass) throw new Error(`${options.source} has too few ${kind}.N.jpg photos for the class folder ${cls}.`);
    used.set(kind, (used.get(kind) ?? 0) + options.perClass);
    mkdirSync(join(options.dir, cls), { recursive: true });
    for (const name of names) copyFileSync(join(options.source, name), join(options.dir, cls, name));
    copied.set(cls, names);
  }
  return copied;
}
