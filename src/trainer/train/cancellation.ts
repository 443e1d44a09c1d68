/**
 * A cancel request: the training loop polls it between batches (Keras' `model.stop_training`); file work
 * (prepare's copying, decoding) takes its AbortSignal; and the last words before SIGTERM ends the process
 * at once (handlers that record why the run stopped).
 */
export class CancelToken {
  private reason: string | null = null;
  private readonly controller = new AbortController();
  private readonly terminateHandlers = new Set<() => void>();

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get cancelled(): boolean {
    return this.reason !== null;
  }

  get why(): string | null {
    return this.reason;
  }

  cancel(reason: string): void {
    if (this.reason !== null) return;
    this.reason = reason;
    this.controller.abort(new Error(reason));
  }

  /** Runs `handler` synchronously if the process is terminated; returns a function that unregisters it. */
  onTerminate(handler: () => void): () => void {
    this.terminateHandlers.add(handler);
    return () => this.terminateHandlers.delete(handler);
  }

  /** The process exits right after this (SIGTERM): cancel, and let every handler record what it must. */
  terminate(reason: string): void {
    this.cancel(reason);
    for (const handler of [...this.terminateHandlers]) {
      try {
        handler();
      } catch {
        // Exiting anyway: what is on disk stays as it was.
      }
    }
  }
}
