import type { Disposable } from './disposable';

export type Listener<T> = (value: T) => void;
/** Subscribe; the returned Disposable unsubscribes (like vscode.Event). */
export type Event<T> = (listener: Listener<T>) => Disposable;

/** A tiny typed event emitter with vscode.EventEmitter's shape, for modules that must not import `vscode`. */
export class Emitter<T> implements Disposable {
  private listeners = new Set<Listener<T>>();

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }

  dispose(): void {
    this.listeners.clear();
  }
}
