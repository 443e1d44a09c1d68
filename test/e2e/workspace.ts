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
