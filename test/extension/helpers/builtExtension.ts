/** The BUILT extension bundle (dist/extension/extension.js), activated against the fake `vscode` of fakeVscode.ts. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
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

export interface BuiltExtensionFixture {
  /** A fresh temporary folder, the fake window's workspace folder. */
  workspace: string;
  harness: ReturnType<typeof makeFakeVscode>;
  extension: ExtensionModule;
}

/**
 * A test file's window: registers before() and after() hooks that make a temporary workspace, install the fake
 * `vscode` and require the built bundle, then uninstall it and delete the folder. The returned object is filled
 * in by the before() hook (read it inside tests and later hooks).
 */
export function builtExtensionInTempWorkspace(prefix: string): BuiltExtensionFixture {
  const fixture = {} as BuiltExtensionFixture;
  let uninstall = () => {};
  before(() => {
    fixture.workspace = mkdtempSync(join(tmpdir(), prefix));
    const loaded = loadBuiltExtension(fixture.workspace);
    ({ harness: fixture.harness, extension: fixture.extension, uninstall } = loaded);
  });
  after(() => {
    uninstall();
    rmSync(fixture.workspace, { recursive: true, force: true });
  });
  return fixture;
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
