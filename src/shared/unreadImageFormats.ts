/**
 * Image formats people's photo folders hold that Small Convnet does not read (see IMAGE_EXTENSIONS): an
 * iPhone's HEIC photos above all. A class whose photos are all HEIC otherwise reads as "0 images" with no word
 * on why; both the trainer and the extension's folder picker name these files and say to convert them. Pure.
 */
import { extensionOf } from './imageNames';

const FORMATS: Readonly<Record<string, string>> = {
  heic: 'HEIC, the iPhone photo format',
  heif: 'HEIF',
  avif: 'AVIF',
  jxl: 'JPEG XL',
  tif: 'TIFF',
  tiff: 'TIFF',
  dng: 'camera RAW',
  cr2: 'camera RAW',
  cr3: 'camera RAW',
  nef: 'camera RAW',
  arw: 'camera RAW',
  orf: 'camera RAW',
  rw2: 'camera RAW',
  raf: 'camera RAW',
  psd: 'Photoshop',
  svg: 'SVG, a drawing rather than pixels',
};

/** What an image file Small Convnet does not read is ("HEIC, the iPhone photo format"), or null for any other file. */
export function unreadImageFormat(name: string): string | null {
  if (name.startsWith('.')) return null;
  return FORMATS[extensionOf(name)] ?? null;
}

export const CONVERT_ADVICE = 'convert them to JPEG or PNG (e.g. Export as JPEG in Photos, or any image converter)';

/**
 * "6 .heic files (HEIC, the iPhone photo format)" or "6 .heic files (…) and 1 .tif file (TIFF)": the unread
 * images among `names`, by extension in order of first appearance; null when there are none.
 */
export function describeUnreadImages(names: readonly string[]): string | null {
  const byExtension = new Map<string, number>();
  for (const name of names) {
    if (unreadImageFormat(name) !== null) byExtension.set(extensionOf(name), (byExtension.get(extensionOf(name)) ?? 0) + 1);
  }
  if (byExtension.size === 0) return null;
  const parts = [...byExtension].map(([ext, count]) => `${count} .${ext} file${count === 1 ? '' : 's'} (${FORMATS[ext]})`);
  return parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/**
 * "`holder` 6 .heic files (HEIC, the iPhone photo format), which Small Convnet does not read: convert them …."
 * for the unread images among `names` (holder e.g. "It holds", '"cat" also holds'); '' when there are none.
 */
export function unreadImagesSentence(holder: string, names: readonly string[]): string {
  const described = describeUnreadImages(names);
  return described === null ? '' : `${holder} ${described}, which Small Convnet does not read: ${CONVERT_ADVICE}.`;
}
