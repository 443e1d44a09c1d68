import type { Disposable } from './disposable';

/** Calls `action` once, `delayMs` after the last `trigger()`; disposing cancels a pending call. */
export class Debouncer implements Disposable {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: { delayMs: number; action: () => void }) {}

  trigger(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.options.action();
    }, this.options.delayMs);
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
