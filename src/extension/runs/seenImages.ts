/**
 * Whether a run has seen an image while training: it is one of its train/validation copies, or the source
 * image such a copy was made from (the prepared folder's manifest lists them). A prediction on such an image
 * says little about new images, and the person should know. Pure (the caller reads the manifest).
 */
import * as path from 'node:path';
import type { SubsetName } from '../../shared/trainerProtocol';
import { isRecord } from '../util/readJson';

const SEEN: readonly SubsetName[] = ['train', 'validation'];

function isInside(dir: string, file: string): boolean {
  const relative = path.relative(dir, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** The subset of the run (train or validation) that holds `image` or its copy, or null. */
export function subsetThatSaw(options: { image: string; dataDir: string; manifest: unknown }): SubsetName | null {
  const image = path.resolve(options.image);
  for (const subset of SEEN) if (isInside(path.resolve(options.dataDir, subset), image)) return subset;
  const manifest = options.manifest;
  if (!isRecord(manifest) || typeof manifest.source !== 'string' || !isRecord(manifest.files)) return null;
  const relative = path.relative(manifest.source, image);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return null;
  const asListed = relative.split(path.sep).join('/');
  for (const subset of SEEN) {
    const byClass = manifest.files[subset];
    if (!isRecord(byClass)) continue;
    for (const files of Object.values(byClass)) {
      if (Array.isArray(files) && files.some((file) => file === asListed || file === relative)) return subset;
    }
  }
  return null;
}
