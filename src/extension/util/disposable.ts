/** The shape of vscode.Disposable, for modules that must not import `vscode`. */
export interface Disposable {
  dispose(): void;
}

/** Disposes several disposables as one, in reverse order of adding (like a stack). */
export class DisposableStore implements Disposable {
  private readonly items: Disposable[] = [];
  private disposed = false;

  add<T extends Disposable>(item: T): T {
    if (this.disposed) item.dispose();
    else this.items.push(item);
    return item;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const item of this.items.splice(0).reverse()) item.dispose();
  }
}
