/** A cancel request the training loop polls between batches (Keras' `model.stop_training`). */
export class CancelToken {
  private reason: string | null = null;

  get cancelled(): boolean {
    return this.reason !== null;
  }

  get why(): string | null {
    return this.reason;
  }

  cancel(reason: string): void {
    this.reason ??= reason;
  }
}
