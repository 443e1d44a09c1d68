/** The BUILT extension bundle (dist/extension/extension.js), activated against the fake `vscode` of fakeVscode.ts. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { installFakeVscode, makeFakeVscode } from './fakeVscode';
import { REPO_ROOT } from './realTrainer';

export const EXTENSION_BUNDLE = join(REPO_ROOT, 'dist', 'extension', 'extension.js');

export interface ExtensionModule {
  activate(context: object): void;
  deactivate(): void;
}

/** Requires the bundle (the fake `vscode` must be installed first). */
export function requireBuiltExtension(): ExtensionModule {
  return createRequire(__filename)(EXTENSION_BUNDLE) as ExtensionModule;
}

/** Installs a fake `vscode` for `workspace` and requires the built bundle against it (build first: node esbuild.mjs). */
export function loadBuiltExtension(workspace: string): { harness: ReturnType<typeof makeFakeVscode>; uninstall: () => void; extension: ExtensionModule } {
  assert.ok(existsSync(EXTENSION_BUNDLE), 'build first: node esbuild.mjs');
  const harness = makeFakeVscode({ workspaceFolder: workspace });
  const uninstall = installFakeVscode(harness.fake);
  return { harness, uninstall, extension: requireBuiltExtension() };
}

/** Calls activate() with an ExtensionContext of what the extension uses; returns its subscriptions. */
export function activateWithContext(options: { extension: ExtensionModule; harness: ReturnType<typeof makeFakeVscode>; workspace: string }): { dispose(): void }[] {
  const { extension, harness, workspace } = options;
  const { Uri } = harness;
  const subscriptions: { dispose(): void }[] = [];
  const state = new Map<string, unknown>();
  extension.activate({
    subscriptions,
    extensionPath: REPO_ROOT,
    extensionUri: Uri.file(REPO_ROOT),
    globalStorageUri: Uri.file(join(workspace, '.global')),
    workspaceState: { get: (key: string) => state.get(key), update: async (key: string, value: unknown) => void state.set(key, value), keys: () => [...state.keys()] },
  });
  return subscriptions;
}
