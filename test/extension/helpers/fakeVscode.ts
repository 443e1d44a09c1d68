/**
 * A minimal stand-in for the `vscode` module, enough to activate the built extension in plain Node and see
 * what it registers. Only `vscode` is replaced; everything else is the real bundle. It records calls.
 */
import Module, { createRequire } from 'node:module';
import * as path from 'node:path';

type Listener<T> = (value: T) => void;

export interface FakeDisposable {
  dispose(): void;
  disposed: boolean;
}

export interface QuickPickItemLike {
  label: string;
  kind?: number;
  description?: string;
  detail?: string;
}

/** How the fake answers the person's side of the UI; each returns undefined for Escape. */
export interface ScriptedUi {
  quickPick(items: QuickPickItemLike[], options: { title?: string; placeHolder?: string }): QuickPickItemLike | undefined;
  inputBox(options: { title?: string; prompt?: string; value?: string; validateInput?: (value: string) => string | undefined }): string | undefined;
  openDialog(options: { title?: string }): string[] | undefined;
  /** The button clicked on a message (after the text), or undefined. */
  message(text: string, items: string[]): string | undefined;
}

export interface FakeWebviewPanel {
  webview: { html: string; options: { localResourceRoots?: { fsPath: string }[] }; posted: unknown[]; receive(message: unknown): void };
  visible: boolean;
  disposed: boolean;
}

export interface Recorder {
  /** Every API call, in order: "window.createTreeView smallConvnet.subsets", ... */
  calls: string[];
  commands: Map<string, (...args: unknown[]) => unknown>;
  treeProviders: Map<string, { getChildren(node?: unknown): unknown; getTreeItem(node: unknown): unknown }>;
  serializers: Set<string>;
  disposables: FakeDisposable[];
  messages: string[];
  configuration: Record<string, unknown>;
  ui: ScriptedUi;
  panels: FakeWebviewPanel[];
  statusBarTexts: string[];
}

function disposable(recorder: Recorder, onDispose: () => void = () => undefined): FakeDisposable {
  const item: FakeDisposable = {
    disposed: false,
    dispose() {
      if (!item.disposed) onDispose();
      item.disposed = true;
    },
  };
  recorder.disposables.push(item);
  return item;
}

class Uri {
  readonly scheme = 'file';
  private constructor(readonly fsPath: string) {}
  get path(): string {
    return this.fsPath;
  }
  static file(fsPath: string): Uri {
    return new Uri(path.resolve(fsPath));
  }
  static joinPath(base: Uri, ...segments: string[]): Uri {
    return new Uri(path.join(base.fsPath, ...segments));
  }
  toString(): string {
    return `file://${this.fsPath}`;
  }
}

export function makeFakeVscode(options: { workspaceFolder: string }) {
  const noUi: ScriptedUi = { quickPick: () => undefined, inputBox: () => undefined, openDialog: () => undefined, message: () => undefined };
  const recorder: Recorder = {
    calls: [],
    commands: new Map(),
    treeProviders: new Map(),
    serializers: new Set(),
    disposables: [],
    messages: [],
    configuration: {},
    ui: noUi,
    panels: [],
    statusBarTexts: [],
  };
  const messageButtons = (rest: unknown[]): string[] => rest.filter((item): item is string => typeof item === 'string');
  const record = (call: string) => recorder.calls.push(call);

  class EventEmitter<T> {
    private listeners = new Set<Listener<T>>();
    readonly event = (listener: Listener<T>) => {
      this.listeners.add(listener);
      return disposable(recorder, () => this.listeners.delete(listener));
    };
    fire(value: T): void {
      for (const listener of this.listeners) listener(value);
    }
    dispose(): void {
      this.listeners.clear();
    }
  }

  const Disposable = {
    from: (...items: { dispose(): void }[]) => disposable(recorder, () => items.forEach((item) => item.dispose())),
  };

  class TreeItem {
    id?: string;
    description?: string;
    tooltip?: unknown;
    iconPath?: unknown;
    contextValue?: string;
    resourceUri?: Uri;
    command?: unknown;
    constructor(
      readonly label: string,
      readonly collapsibleState: number,
    ) {}
  }

  const fake = {
    Uri,
    EventEmitter,
    Disposable,
    TreeItem,
    TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
    StatusBarAlignment: { Left: 1, Right: 2 },
    ViewColumn: { Active: -1, Beside: -2 },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    QuickPickItemKind: { Separator: -1, Default: 0 },
    FileType: { File: 1, Directory: 2 },
    ThemeIcon: class {
      constructor(
        readonly id: string,
        readonly color?: unknown,
      ) {}
    },
    ThemeColor: class {
      constructor(readonly id: string) {}
    },
    MarkdownString: class {
      constructor(readonly value: string) {}
    },
    RelativePattern: class {
      constructor(
        readonly base: Uri,
        readonly pattern: string,
      ) {}
    },
    window: {
      createOutputChannel: (name: string) => {
        record(`window.createOutputChannel ${name}`);
        const channel = disposable(recorder);
        return Object.assign(channel, { appendLine: (line: string) => recorder.messages.push(`log: ${line}`), show: () => record('outputChannel.show') });
      },
      createTreeView: (id: string, viewOptions: { treeDataProvider: Recorder['treeProviders'] extends Map<string, infer P> ? P : never }) => {
        record(`window.createTreeView ${id}`);
        recorder.treeProviders.set(id, viewOptions.treeDataProvider);
        return disposable(recorder);
      },
      createStatusBarItem: (id: string) => {
        record(`window.createStatusBarItem ${id}`);
        const item = Object.assign(disposable(recorder), {
          text: '',
          tooltip: '',
          command: '',
          name: '',
          show: () => recorder.statusBarTexts.push(item.text),
          hide: () => undefined,
        });
        return item;
      },
      createWebviewPanel: (viewType: string, title: string, _column: unknown, panelOptions: { localResourceRoots?: { fsPath: string }[] }) => {
        record(`window.createWebviewPanel ${viewType} ${title}`);
        const received = new EventEmitter<unknown>();
        const disposed = new EventEmitter<void>();
        const fakePanel: FakeWebviewPanel & Record<string, unknown> = {
          visible: true,
          disposed: false,
          webview: {
            html: '',
            options: panelOptions,
            posted: [],
            cspSource: 'https://webview.test',
            asWebviewUri: (uri: Uri) => ({ toString: () => `https://webview.test${uri.fsPath}` }),
            postMessage: async (message: unknown) => {
              fakePanel.webview.posted.push(message);
              return true;
            },
            onDidReceiveMessage: received.event,
            receive: (message: unknown) => received.fire(message),
          } as FakeWebviewPanel['webview'],
          reveal: () => undefined,
          onDidDispose: disposed.event,
          dispose: () => {
            if (fakePanel.disposed) return;
            fakePanel.disposed = true;
            disposed.fire();
          },
        };
        recorder.panels.push(fakePanel);
        return fakePanel;
      },
      showQuickPick: async (items: QuickPickItemLike[] | Promise<QuickPickItemLike[]>, pickOptions: { title?: string; placeHolder?: string }) => {
        const resolved = await items;
        record(`window.showQuickPick ${pickOptions.title ?? ''}`);
        return recorder.ui.quickPick(resolved, pickOptions);
      },
      showInputBox: async (inputOptions: { title?: string; prompt?: string; value?: string; validateInput?: (value: string) => string | undefined }) => {
        record(`window.showInputBox ${inputOptions.prompt ?? ''}`);
        return recorder.ui.inputBox(inputOptions);
      },
      showOpenDialog: async (dialogOptions: { title?: string }) => recorder.ui.openDialog(dialogOptions)?.map((file) => Uri.file(file)),
      withProgress: async <R>(progressOptions: { title?: string }, task: (progress: { report(value: unknown): void }, token: { isCancellationRequested: boolean; onCancellationRequested: () => FakeDisposable }) => Promise<R>) => {
        record(`window.withProgress ${progressOptions.title ?? ''}`);
        return task({ report: () => undefined }, { isCancellationRequested: false, onCancellationRequested: () => disposable(recorder) });
      },
      registerWebviewPanelSerializer: (viewType: string) => {
        record(`window.registerWebviewPanelSerializer ${viewType}`);
        recorder.serializers.add(viewType);
        return disposable(recorder);
      },
      showInformationMessage: async (text: string, ...rest: unknown[]) => {
        recorder.messages.push(`info: ${text}`);
        return recorder.ui.message(text, messageButtons(rest));
      },
      showWarningMessage: async (text: string, ...rest: unknown[]) => {
        recorder.messages.push(`warning: ${text}`);
        return recorder.ui.message(text, messageButtons(rest));
      },
      showErrorMessage: async (text: string, ...rest: unknown[]) => {
        recorder.messages.push(`error: ${text}`);
        return recorder.ui.message(text, messageButtons(rest));
      },
      activeTextEditor: undefined,
    },
    workspace: {
      workspaceFolders: [{ uri: Uri.file(options.workspaceFolder), name: path.basename(options.workspaceFolder), index: 0 }],
      getConfiguration: () => ({ get: (key: string) => recorder.configuration[key] }),
      onDidChangeConfiguration: () => disposable(recorder),
      onDidChangeWorkspaceFolders: () => disposable(recorder),
      createFileSystemWatcher: (pattern: { base: Uri; pattern: string }) => {
        record(`workspace.createFileSystemWatcher ${pattern.base.fsPath} ${pattern.pattern}`);
        const event = () => disposable(recorder);
        return Object.assign(disposable(recorder), { onDidCreate: event, onDidChange: event, onDidDelete: event });
      },
      fs: { readDirectory: async () => [] },
    },
    commands: {
      registerCommand: (id: string, handler: (...args: unknown[]) => unknown) => {
        record(`commands.registerCommand ${id}`);
        if (recorder.commands.has(id)) throw new Error(`command ${id} registered twice`);
        recorder.commands.set(id, handler);
        return disposable(recorder, () => recorder.commands.delete(id));
      },
      executeCommand: async (id: string, ...args: unknown[]) => {
        record(`commands.executeCommand ${id} ${JSON.stringify(args)}`);
        return recorder.commands.get(id)?.(...args);
      },
    },
  };
  return { fake, recorder, Uri };
}

/** Makes `require('vscode')` return `fake` for modules loaded after this call; returns an undo function. */
export function installFakeVscode(fake: object): () => void {
  const internals = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const original = internals._resolveFilename;
  const fakePath = path.join(__dirname, '__fake_vscode__.js');
  const cached = new Module(fakePath);
  cached.filename = fakePath;
  cached.loaded = true;
  cached.exports = fake;
  const require = createRequire(__filename);
  require.cache[fakePath] = cached;
  internals._resolveFilename = (request: string, ...rest: unknown[]) => (request === 'vscode' ? fakePath : original(request, ...rest));
  return () => {
    internals._resolveFilename = original;
    delete require.cache[fakePath];
  };
}
