/**
 * The trainer outlives its reader: when the extension host that spawned it goes away (VS Code reloads or
 * closes), writing to stdout/stderr fails with EPIPE. Training goes on, reporting only to the run folder
 * (history.json, checkpoints, resume state), where a reloaded window finds it again; the stop signal is
 * then SIGINT to the pid in trainer.lock.
 */

function isBrokenPipe(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}

/** Makes EPIPE on stdout and stderr stop further writes to that stream instead of crashing the process. */
export function surviveClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error) => {
      if (!isBrokenPipe(error)) throw error;
      // Nobody reads any more: drop every later write to this stream.
      stream.write = ((_chunk: unknown, encoding?: unknown, callback?: unknown) => {
        const done = typeof encoding === 'function' ? encoding : callback;
        if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
        return true;
      }) as typeof stream.write;
    });
  }
}
