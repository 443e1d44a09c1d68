/**
 * How "Reveal in File Manager" shows a folder: the OS file manager where there is one (desktop VS Code on
 * this machine), otherwise (a browser, code-server, a remote window) the Explorer view when the folder is in
 * the workspace, else its path copied to the clipboard. Pure.
 */
export type RevealAction = 'os' | 'explorer' | 'copy-path';

export function revealAction(options: { inBrowser: boolean; remote: boolean; inWorkspace: boolean }): RevealAction {
  if (!options.inBrowser && !options.remote) return 'os';
  return options.inWorkspace ? 'explorer' : 'copy-path';
}
