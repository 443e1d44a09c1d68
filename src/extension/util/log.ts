/** The "Small Convnet" output channel: trainer stderr, stray stdout lines, and the host's own notes. */
import * as vscode from 'vscode';
import { OUTPUT_CHANNEL_NAME } from '../ids';

export class ExtensionLog implements vscode.Disposable {
  private readonly channel = vscode.window.createOutputChannel(OUTPUT_CHANNEL_NAME);

  /** Bound, so it can be passed around as a function. */
  readonly appendLine = (line: string): void => this.channel.appendLine(line);

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
