/**
 * File-name rules both the trainer and the extension apply to a dataset, declared once: which names are images,
 * the Kaggle `CLASS.N.ext` rule, and the natural order files are split in. Pure (no Node, no DOM).
 */

/** Extensions the trainer reads (lower case, without the dot). */
export const IMAGE_EXTENSIONS: readonly string[] = ['jpg', 'jpeg', 'png', 'gif', 'bmp', 'webp'];

/** `cat.12.jpg`: class `cat` (group 1), number 12 (group 2), extension (group 3). */
export const CLASS_N_NAME = /^(.+)\.(\d+)\.([A-Za-z]+)$/;

/** Lower-case extension of a file name without the dot ('' when there is none; a leading dot is no extension). */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 || dot === name.length - 1 ? '' : name.slice(dot + 1).toLowerCase();
}

export function isImageName(name: string): boolean {
  return IMAGE_EXTENSIONS.includes(extensionOf(name));
}

/** An image the trainer reads: an image extension, and not hidden. */
export function isImageFileName(name: string): boolean {
  return !name.startsWith('.') && isImageName(name);
}

export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Natural order: digit runs compare as numbers ("img2" < "img10"), everything else by code point.
 * Independent of the locale, so the order (and therefore the split) is the same on every machine.
 */
export function naturalCompare(a: string, b: string): number {
  const chunk = /(\d+)|(\D+)/g;
  const partsA = a.match(chunk) ?? [];
  const partsB = b.match(chunk) ?? [];
  const n = Math.min(partsA.length, partsB.length);
  for (let i = 0; i < n; i++) {
    const pa = partsA[i];
    const pb = partsB[i];
    if (/^\d/.test(pa) && /^\d/.test(pb)) {
      const ta = pa.replace(/^0+(?=\d)/, '');
      const tb = pb.replace(/^0+(?=\d)/, '');
      if (ta.length !== tb.length) return ta.length - tb.length;
      const c = compareCodePoints(ta, tb);
      if (c !== 0) return c;
    } else {
      const c = compareCodePoints(pa, pb);
      if (c !== 0) return c;
    }
  }
  if (partsA.length !== partsB.length) return partsA.length - partsB.length;
  return compareCodePoints(a, b);
}

/**
 * Folders that archives, NAS boxes and tools put beside (or inside) the class folders: never a class, and their
 * files never images of one (a zip made on a Mac holds __MACOSX/ with a `._name.jpg` per photo; a Synology NAS
 * puts @eaDir/ with thumbnail JPEGs into every photo folder). Name -> what it is, for the skipped list.
 */
const NOT_CLASS_FOLDERS: Readonly<Record<string, string>> = {
  __MACOSX: "macOS archive metadata (a zip made on a Mac)",
  '@eaDir': 'Synology NAS thumbnails',
  '$RECYCLE.BIN': 'the Windows recycle bin',
  'System Volume Information': 'a Windows system folder',
  node_modules: 'Node.js packages',
  __pycache__: 'a Python cache',
};

/** Why a folder of this name is never a class ("macOS archive metadata (…)"), or null for any other name. */
export function notClassFolder(name: string): string | null {
  return Object.hasOwn(NOT_CLASS_FOLDERS, name) ? NOT_CLASS_FOLDERS[name] : null;
}
