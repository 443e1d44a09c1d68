/**
 * The host side of the training panel, without `vscode`: turns training runs and runs on disk into
 * HostToWebviewMessages, and validated WebviewToHostMessages into actions. panel/trainingPanel.ts owns the
 * WebviewPanel and gives this class a port to post through.
 *
 * Keys: a run's messages before `run-started` go under a temporary key; `run-started` itself too, then a
 * `run-loaded` under the run folder (same runId, so the panel links both keys), then everything under the
 * run folder. The panel may name a run by either key; the host maps both to the run folder.
 */
import * as path from 'node:path';
import type { RecipeId } from '../../shared/recipes';
import type { BatchEndMessage, TrainerMessage } from '../../shared/trainerProtocol';
import { parseWebviewMessage, type HostToWebviewMessage, type RunKey } from '../../shared/webviewProtocol';
import { AUGMENTATION_DIR, type RunRecord } from '../../shared/runFiles';
import type { BackgroundStop } from '../runs/backgroundTrainer';
import type { RunOnDisk } from '../runs/runStore';
import type { TrainingRun } from '../session/trainingRun';
import type { TrainingRuns } from '../session/trainingRuns';
import { DisposableStore, type Disposable } from '../util/disposable';
import { isInsideAnyFolder } from '../util/paths';
import { dataFoldersOfMessage, imageFilesOfEvaluation, imageFilesOfMessage } from './imageFiles';
import type { PanelStateSummary } from './panelStateReader';
import { BackgroundRun } from './backgroundRun';
import { runRecordFromStream } from './runRecordFromStream';

export interface PanelPort {
  post(message: HostToWebviewMessage): void;
  /** Webview URIs for local files (the port widens the panel's resource roots when it must). */
  webviewUris(files: readonly string[]): Record<string, string>;
}

export interface PanelActions {
  evaluateRun(runDir: string): void;
  exportRun(runDir: string): void;
  /** Grad-CAM of `files` with the run's best checkpoint, each explanation forwarded to the panel. */
  explainImages(runDir: string, files: readonly string[]): void;
  /** The feature maps of one image with the run's best checkpoint, forwarded to the panel. */
  activationsOfImage(runDir: string, file: string): void;
  openFile(file: string): void;
  /** Lets the person pick a run on disk; resolves to its folder, or undefined. */
  /** `shown`: run folders the panel has already (not offered again). */
  pickRunToCompare(shown: readonly string[]): Promise<string | undefined>;
  startRecipe(recipe: RecipeId): void;
  /** Stops a run's trainer that is not a child of this window (SIGINT to its trainer.lock's pid); says what happened. */
  stopBackgroundRun(runDir: string): Promise<BackgroundStop>;
  /** Tell the person something (an information message). */
  inform(text: string): void;
  log(line: string): void;
}

export interface PanelSessionOptions {
  port: PanelPort;
  runs: TrainingRuns;
  readRun: (runDir: string) => Promise<RunOnDisk | null>;
  /** Lists image files in a folder (the run's augmentation/ pictures). */
  listImages: (dir: string) => Promise<string[]>;
  actions: PanelActions;
  /** The work folder: open-file may open anything below it. */
  workFolder: () => string;
}

/** A run folder the panel shows. */
interface ShownRun {
  /** Set while the panel follows it from its folder: run.json says "running" and no trainer of this window trains it. */
  background: BackgroundRun | null;
}

export class PanelSession implements Disposable {
  private readonly subscriptions = new DisposableStore();
  private readonly attached = new Set<TrainingRun>();
  /** Run folders loaded from disk into the panel (shown or overlaid), and how each is followed. */
  private readonly shown = new Map<string, ShownRun>();
  /** Runs a restored panel showed whose folders are gone: dropped from the panel when it is ready. */
  private readonly missingRunDirs = new Set<string>();
  /** Keys the panel may use that are not run folders (temporary keys of earlier sessions) -> run folder. */
  private readonly keyToRunDir = new Map<RunKey, string>();
  /** Folders the panel's files come from, for open-file. */
  private readonly dataFolders = new Set<string>();
  private focusRunDir: string | null = null;

  constructor(private readonly options: PanelSessionOptions) {
    this.subscriptions.add(options.runs.onDidStart((run) => this.attach(run)));
    for (const run of options.runs.all()) this.attach(run);
  }

  /** The run's folder was deleted (Delete Run): the panel drops the run. */
  runRemoved(runDir: string): void {
    const resolved = path.resolve(runDir);
    this.forget(resolved);
    this.options.port.post({ type: 'run-removed', runKey: resolved });
  }

  /** The panel no longer shows the run (deleted, or its tab closed): nothing brings it back but the person. */
  private forget(runDir: string): void {
    this.shown.delete(runDir);
    if (this.focusRunDir === runDir) this.focusRunDir = null;
    // A finished run of this window too: not replayed when the panel is shown again, offered by Compare with….
    for (const run of this.attached) {
      if (!run.isActive && run.runDir !== null && path.resolve(run.runDir) === runDir) this.attached.delete(run);
    }
  }

  /**
   * After a reload: the runs the restored panel shows. `missing`: runs it still shows whose folders are gone
   * (deleted while the window was away); the panel drops them once it is ready.
   */
  restore(summary: PanelStateSummary, missing: readonly string[] = []): void {
    for (const runDir of missing) this.missingRunDirs.add(runDir);
    for (const runDir of summary.runDirs) if (!this.shown.has(runDir)) this.shown.set(runDir, { background: null });
    for (const [key, runDir] of Object.entries(summary.keyToRunDir)) this.keyToRunDir.set(key, runDir);
    this.focusRunDir = summary.focusRunDir;
  }

  async handleMessage(raw: unknown): Promise<void> {
    const message = parseWebviewMessage(raw);
    if (message === undefined) {
      this.options.actions.log(`Ignored a malformed message from the panel: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    switch (message.type) {
      case 'ready':
        return this.replay({ webviewHasFront: typeof message.front === 'string' });
      case 'stop-run': {
        const runDir = this.runDirOfKey(message.runKey);
        const run = this.options.runs.find(runDir ?? message.runKey);
        if (run?.isActive) void run.stop();
        else if (runDir !== null) await this.stopBackgroundRun(runDir);
        else this.options.actions.inform('That run is not training.');
        return;
      }
      case 'evaluate-run': {
        const runDir = this.runDirOfKey(message.runKey);
        if (runDir === null) this.options.actions.inform('This run has no folder yet: wait until training has started.');
        else this.options.actions.evaluateRun(runDir);
        return;
      }
      case 'export-run': {
        const runDir = this.runDirOfKey(message.runKey);
        if (runDir === null) this.options.actions.inform('This run has no folder yet: wait until training has started.');
        else this.options.actions.exportRun(runDir);
        return;
      }
      case 'explain-images': {
        const runDir = this.runDirOfKey(message.runKey);
        // Only images the panel was given for this run (its evaluation's), never any path the webview names.
        const allowed = runDir === null ? [] : message.files.filter((file) => path.isAbsolute(file) && this.mayOpen(file));
        if (runDir !== null && allowed.length > 0) this.options.actions.explainImages(runDir, allowed);
        else this.options.actions.log(`Ignored explain-images for ${message.runKey}: no run folder, or no image inside its folders.`);
        return;
      }
      case 'activations-image': {
        const runDir = this.runDirOfKey(message.runKey);
        if (runDir !== null && path.isAbsolute(message.file) && this.mayOpen(message.file)) this.options.actions.activationsOfImage(runDir, path.resolve(message.file));
        else this.options.actions.log(`Ignored activations-image for ${message.runKey}: no run folder, or ${message.file} is not inside its folders.`);
        return;
      }
      case 'open-file':
        if (this.mayOpen(message.path)) this.options.actions.openFile(path.resolve(message.path));
        else this.options.actions.log(`Refused to open ${message.path}: it is not inside the work folder or a run's folders.`);
        return;
      case 'pick-run-to-compare': {
        const liveDirs = [...this.attached].flatMap((run) => (run.runDir !== null ? [path.resolve(run.runDir)] : []));
        const runDir = await this.options.actions.pickRunToCompare([...this.shown.keys(), ...liveDirs]);
        if (runDir !== undefined) await this.showRun(runDir, { focus: false });
        return;
      }
      case 'start-recipe':
        this.options.actions.startRecipe(message.recipe);
        return;
      case 'close-run': {
        // Not shown again when the panel asks for its runs; the run's folder stays.
        const runDir = this.runDirOfKey(message.runKey);
        if (runDir !== null) this.forget(path.resolve(runDir));
        return;
      }
    }
  }

  /**
   * Stop on a run trained by no trainer of this window (from the panel, or the Checkpoints view): its trainer
   * was signalled, so the panel says "stopping" until the run folder says how it ended (refreshFromDisk).
   */
  noteBackgroundStop(runDir: string): void {
    const resolved = path.resolve(runDir);
    const background = this.backgroundRun(resolved);
    if (background === null) return;
    this.options.port.post({ type: 'run-phase', runKey: resolved, ...background.stopAsked(), logTail: [] });
  }

  private async stopBackgroundRun(runDir: string): Promise<void> {
    const result = await this.options.actions.stopBackgroundRun(runDir);
    this.options.actions.inform(result.text);
    if (result.asked) this.noteBackgroundStop(runDir);
  }

  /** Loads a run folder into the panel (run-loaded), optionally in front. `quiet`: a missing run is only logged. */
  async showRun(runDir: string, options: { focus: boolean; quiet?: boolean }): Promise<boolean> {
    const resolved = path.resolve(runDir);
    const run = await this.options.readRun(resolved);
    if (run === null) {
      const shown = this.shown.has(resolved);
      this.forget(resolved);
      // A run the panel showed whose folder is gone (deleted elsewhere, or while VS Code was closed): drop it.
      if (shown) this.options.port.post({ type: 'run-removed', runKey: resolved });
      const text = `${resolved} is not a readable run folder (no valid run.json).`;
      if (options.quiet === true) this.options.actions.log(text);
      else this.options.actions.inform(text);
      return false;
    }
    this.learnFolders([resolved, run.record.dataDir, ...(run.evaluation !== null ? [run.evaluation.dataDir] : [])]);
    const images = [
      ...(run.evaluation !== null ? imageFilesOfEvaluation(run.evaluation) : []),
      ...(await this.options.listImages(path.join(resolved, AUGMENTATION_DIR))),
    ];
    this.postImageUris(images);
    const live = this.options.runs.find(resolved);
    // Followed from its folder while another trainer trains it; the phase it had until now says how it ended.
    const followed = this.shown.get(resolved)?.background ?? null;
    const background = run.record.status === 'running' && !live?.isActive ? (followed ?? new BackgroundRun()) : null;
    this.shown.set(resolved, { background });
    const runKey = live?.isActive ? live.key : resolved;
    this.options.port.post({ type: 'run-loaded', runKey, record: run.record, history: run.history, evaluation: run.evaluation });
    const phaseFrom = live?.isActive ? null : (background ?? followed);
    if (phaseFrom !== null) this.options.port.post({ type: 'run-phase', runKey, ...phaseFrom.phaseOf(run), logTail: [] });
    if (options.focus) this.focus(runKey);
    return true;
  }

  /** Files changed in the work folder: unfinished runs not trained in this window are read again. */
  async refreshFromDisk(): Promise<void> {
    const followed = [...this.shown].flatMap(([runDir, shown]) => (shown.background !== null ? [runDir] : []));
    for (const runDir of followed) {
      if (!this.options.runs.isActiveHere(runDir)) await this.showRun(runDir, { focus: false, quiet: true });
    }
  }

  /**
   * A background run's progress.json moved on (backgroundProgress.ts): the panel's batch progress moves as for
   * a live run. Only for a run it shows as followed from disk (a run of this window has its own stream).
   */
  showBackgroundBatch(runDir: string, message: BatchEndMessage): void {
    const resolved = path.resolve(runDir);
    if (this.backgroundRun(resolved) !== null) this.post(resolved, message);
  }

  /** A message of a short job (evaluate) about the run in `runDir`, forwarded under that run's key. */
  forwardRunMessage(runDir: string, message: TrainerMessage): void {
    this.post(path.resolve(runDir), message);
  }

  focus(runKey: RunKey): void {
    this.focusRunDir = this.runDirOfKey(runKey) ?? runKey;
    this.options.port.post({ type: 'focus-run', runKey });
  }

  dispose(): void {
    this.subscriptions.dispose();
    this.attached.clear();
  }

  private attach(run: TrainingRun): void {
    if (this.attached.has(run)) return;
    this.attached.add(run);
    this.subscriptions.add(run.onEvent(({ runKey, message }) => this.post(runKey, message)));
    this.subscriptions.add(run.onPhase((phase) => this.options.port.post(phase)));
    this.subscriptions.add(
      run.onKeyChanged(({ to, started }) => {
        this.keyToRunDir.set(run.temporaryKey, to);
        this.postRunLink(to, runRecordFromStream({ started, journal: run.journal(), now: new Date() }));
      }),
    );
  }

  private post(runKey: RunKey, message: TrainerMessage): void {
    this.learnFolders(dataFoldersOfMessage(message));
    this.postImageUris(imageFilesOfMessage(message));
    this.options.port.post({ type: 'trainer-event', runKey, event: message });
  }

  private postImageUris(files: readonly string[]): void {
    if (files.length === 0) return;
    const uris = this.options.port.webviewUris(files);
    if (Object.keys(uris).length > 0) this.options.port.post({ type: 'image-uris', uris });
  }

  /** Rebuilds the panel after it was hidden, reopened or reloaded: runs on disk, then live runs. */
  private async replay(options: { webviewHasFront: boolean }): Promise<void> {
    for (const runDir of this.missingRunDirs) this.options.port.post({ type: 'run-removed', runKey: runDir });
    this.missingRunDirs.clear();
    const live = this.options.runs.all().filter((run) => this.attached.has(run));
    const liveDirs = new Set(live.filter((run) => run.isActive && run.runDir !== null).map((run) => path.resolve(run.runDir as string)));
    for (const runDir of [...this.shown.keys()]) {
      if (!liveDirs.has(runDir)) await this.showRun(runDir, { focus: false, quiet: true });
    }
    for (const run of live) {
      let shown = true;
      if (run.isActive) {
        this.replayLiveRun(run);
      } else if (run.runDir !== null && !this.shown.has(path.resolve(run.runDir))) {
        // A run of this window whose folder was deleted since is not shown again (not even as an empty tab).
        shown = await this.showRun(run.runDir, { focus: false, quiet: true });
      }
      if (shown) this.options.port.post(run.phaseMessage());
    }
    // A run training in this window comes to the front (it may have started while the panel was hidden, when
    // nothing reached it). Otherwise a panel that restored its own front keeps it: a focus-run at the end of this
    // replay would take back a tab the person picked meanwhile (right after Reload Window, or before hiding it).
    const front = live.find((run) => run.isActive)?.key ?? (options.webviewHasFront ? null : this.focusRunDir);
    if (front !== null) this.focus(front);
  }

  /** The live sequence again: the temporary key up to run-started, the link, then the run folder's key. */
  private replayLiveRun(run: TrainingRun): void {
    let runKey: RunKey = run.temporaryKey;
    const journal = run.journal();
    for (const message of journal) {
      this.post(runKey, message);
      if (message.type === 'run-started') {
        this.postRunLink(message.runDir, runRecordFromStream({ started: message, journal, now: new Date() }));
        runKey = message.runDir;
      }
    }
  }

  private postRunLink(runDir: string, record: RunRecord): void {
    this.options.port.post({ type: 'run-loaded', runKey: runDir, record, history: null, evaluation: null });
  }

  /** The run folder of a key the panel may use: a run of this window, a linked key, or a run folder it was shown. Nothing else. */
  private runDirOfKey(key: RunKey): string | null {
    const run = this.options.runs.find(key);
    if (run !== undefined) return run.runDir;
    const known = this.keyToRunDir.get(key);
    if (known !== undefined) return known;
    return path.isAbsolute(key) && this.shown.has(path.resolve(key)) ? path.resolve(key) : null;
  }

  /** The run's follow-up when the panel follows it from its folder (another trainer trains it), else null. */
  private backgroundRun(runDir: string): BackgroundRun | null {
    if (this.options.runs.isActiveHere(runDir)) return null;
    return this.shown.get(runDir)?.background ?? null;
  }

  private learnFolders(folders: readonly string[]): void {
    for (const folder of folders) if (folder !== '' && path.isAbsolute(folder)) this.dataFolders.add(path.resolve(folder));
  }

  private mayOpen(file: string): boolean {
    if (!path.isAbsolute(file)) return false;
    return isInsideAnyFolder(file, [this.options.workFolder(), ...this.shown.keys(), ...this.dataFolders]);
  }
}
