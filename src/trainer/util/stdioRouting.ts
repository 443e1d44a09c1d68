import { format } from 'node:util';

/** Library chatter (tfjs' console.log/warn) must never reach stdout, which carries the protocol. */
export function routeConsoleToStderr(): void {
  const toStderr = (...parts: unknown[]) => {
    process.stderr.write(format(...parts) + '\n');
  };
  console.log = toStderr;
  console.info = toStderr;
  console.warn = toStderr;
  console.debug = toStderr;
}
