/**
 * Runs async jobs one after another, in the order they were queued, so a slow job (reading run folders)
 * cannot finish after a later one and undo what it showed. A job that fails is reported to `onError` and
 * does not stop the jobs queued after it. No `vscode`.
 */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly onError: (error: unknown) => void) {}

  push(job: () => Promise<void>): void {
    this.tail = this.tail.then(job).catch(this.onError);
  }
}
