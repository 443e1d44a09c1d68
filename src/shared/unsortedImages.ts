/**
 * Images that are there but carry no class: a flat folder of `img_001.jpg` files (Kaggle's unlabelled test1/),
 * often beside a label list (`labels.csv`, `train.csv`) that Small Convnet does not read. Saying "No images
 * found" there is wrong; both the trainer and the extension's folder picker say this instead. Pure.
 */
import { extensionOf } from './imageNames';

/** A file that probably says which image is which class: any .csv or .tsv, or a .txt/.json named for labels. */
export function isLabelFileName(name: string): boolean {
  if (name.startsWith('.')) return false;
  const ext = extensionOf(name);
  if (ext === 'csv' || ext === 'tsv') return true;
  return (ext === 'txt' || ext === 'json') && /label|annotation|class|ground/i.test(name);
}

/** The advice for label files next to the images, or '' when there are none. */
export function labelFilesNote(labelFiles: readonly string[]): string {
  if (labelFiles.length === 0) return '';
  return ` It does not read label files (${labelFiles.join(', ')}): sort the images into one sub-folder per class as ${labelFiles.length === 1 ? 'that file says' : 'those files say'}.`;
}

/** "DIR holds 20 images but no classes: …" for a folder whose images have neither CLASS.N names nor class folders. */
export function imagesWithoutClassesMessage(options: { dir: string; count: number; labelFiles: readonly string[]; separator: string }): string {
  const { dir, count, separator } = options;
  return (
    `${dir} holds ${count} image${count === 1 ? '' : 's'} but no classes: Small Convnet takes each image's class from its ` +
    `file name (CLASS.N.jpg, e.g. cat.1.jpg, dog.1.jpg) or from its sub-folder (one per class: ${dir}${separator}cat${separator}, ` +
    `${dir}${separator}dog${separator}).` +
    labelFilesNote(options.labelFiles)
  );
}
