/** The extension's settings as plain values (read by settings/readSettings.ts), and their rules. Pure. */
import * as os from 'node:os';
import * as path from 'node:path';
import { BACKEND_REQUESTS, isBackendRequest, type BackendRequest } from '../../shared/backends';
import { DEFAULT_WORK_FOLDER_NAME } from '../ids';

export const BACKEND_SETTINGS = BACKEND_REQUESTS;
export type BackendSetting = BackendRequest;

export interface ExtensionSettings {
  backend: BackendSetting;
  /** As written in the settings; see resolveWorkFolder. */
  outputFolder: string;
  trainerNodePath: string;
  /** 0 = one worker thread per core (the trainer's default). */
  workers: number;
}

export const DEFAULT_SETTINGS: ExtensionSettings = { backend: 'auto', outputFolder: '', trainerNodePath: '', workers: 0 };

export const isBackendSetting = isBackendRequest;

/** Settings values of unknown type (from the configuration API) checked one by one, with defaults. */
export function normaliseSettings(raw: { backend: unknown; outputFolder: unknown; trainerNodePath: unknown; workers: unknown }): ExtensionSettings {
  const workers = typeof raw.workers === 'number' && Number.isSafeInteger(raw.workers) && raw.workers > 0 ? Math.min(raw.workers, 64) : 0;
  return {
    backend: isBackendSetting(raw.backend) ? raw.backend : DEFAULT_SETTINGS.backend,
    outputFolder: typeof raw.outputFolder === 'string' ? raw.outputFolder.trim() : '',
    trainerNodePath: typeof raw.trainerNodePath === 'string' ? raw.trainerNodePath.trim() : '',
    workers,
  };
}

/**
 * The work folder (data/, runs/, demo/): the `outputFolder` setting (absolute; relative to the first workspace
 * folder; `~` = home), or `small-convnet-work` in the first workspace folder, or in the global storage when no
 * folder is open.
 */
export function resolveWorkFolder(options: { setting: string; workspaceFolders: readonly string[]; globalStoragePath: string }): string {
  const base = options.workspaceFolders[0] ?? options.globalStoragePath;
  const setting = options.setting.trim();
  if (setting === '') return path.join(base, DEFAULT_WORK_FOLDER_NAME);
  const expanded = setting === '~' || setting.startsWith('~/') ? path.join(os.homedir(), setting.slice(1)) : setting;
  return path.resolve(base, expanded);
}
