/**
 * A cancel request: the training loop polls it between batches (Keras' `model.stop_training`); file work
 * (prepare's copying) takes its AbortSignal.
 */
export class CancelToken {
  private reason: string | null = null;
  private readonly controller = new AbortController();

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
}
