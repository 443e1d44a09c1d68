/** Folders the panel may load files from (localResourceRoots), widened only when something is outside. Pure. */
import * as path from 'node:path';
import { isInsideAnyFolder, outermostFolders } from '../util/paths';

/** The panel's roots at first: its own bundle (dist/webview) and media, and `folders` (absolute ones only). */
export function panelResourceRoots(options: { extensionPath: string; folders: readonly string[] }): string[] {
  const { extensionPath, folders } = options;
  return outermostFolders([path.join(extensionPath, 'dist', 'webview'), path.join(extensionPath, 'media'), ...folders.filter((dir) => path.isAbsolute(dir))]);
}

/** The roots needed to also load `files` and anything in `folders`, or null when the current roots allow it all. */
export function widenedRoots(current: readonly string[], wanted: { files?: readonly string[]; folders?: readonly string[] }): string[] | null {
  const needed = [...(wanted.files ?? []).map((file) => path.dirname(file)), ...(wanted.folders ?? [])].filter(
    (folder) => path.isAbsolute(folder) && !isInsideAnyFolder(folder, current),
  );
  return needed.length === 0 ? null : outermostFolders([...current, ...needed]);
}
