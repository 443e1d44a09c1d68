/**
 * The one way tests wait: poll a condition until it holds, fail after a timeout naming what was awaited.
 * (No fixed sleeps: a test waits on the condition it needs, and a "nothing happened" check waits on the
 * condition that proves the moment has passed.) The end-to-end test's workbench helper uses it too.
 */
export interface UntilOptions {
  /** Default 120 s. */
  timeoutMs?: number;
  /** Default 100 ms. */
  intervalMs?: number;
}

/** Polls `probe` until it returns a value (not undefined); a probe that throws is retried, its last error reported. */
export async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, options: UntilOptions | number = {}): Promise<T> {
  const { timeoutMs = 120_000, intervalMs = 100 } = typeof options === 'number' ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Waits until `condition()` is true. */
export async function untilTrue(what: string, condition: () => boolean, options: UntilOptions = {}): Promise<void> {
  await until(what, () => (condition() ? true : undefined), options);
}
