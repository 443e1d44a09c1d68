/**
 * Small Convnet's work folder (prepared subsets in data/, runs in runs/, the demo images): its default name, and
 * the marker file that makes any folder one. A work folder is never read as a class, so it may sit inside the
 * dataset it works on (a class-per-folder dataset opened as the workspace). Pure: src/shared/node/workFolders.ts
 * applies the rule to the file system.
 */

export const DEFAULT_WORK_FOLDER_NAME = 'small-convnet-work';

/** A hidden file in every work folder the trainer or the extension created or used. */
export const WORK_FOLDER_MARKER = '.small-convnet-work';
