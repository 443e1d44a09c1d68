/**
 * Test-only fault injection for the durable writes (atomicWrite.ts), so the reliability tests can hit
 * exact moments of a checkpoint write and simulate a full disk. Off unless the environment has
 *
 *   SMALL_CONVNET_TEST_FAULT=<action>:<name>[:<n>]
 *
 * action `kill`: the process SIGKILLs itself during the n-th durable write (default 1st) of a file or
 * folder named <name> (`*` for any, `epoch-0002*` for names that start so), after the temporary copy is
 * complete and before it is renamed; or, for an older checkpoint being removed (`.epoch-0001*`), after it
 * was renamed to its hidden name and before it is deleted;
 * action `enospc`: that write fails as a full disk would (half of the bytes written, then ENOSPC).
 * The name `after-<callback>` (e.g. `after-model-checkpoint`) is the point after that training callback's n-th
 * epoch end (callbacks/trainingCallback.ts), so a test can stop the trainer between any two of them.
 * The count is per process. See docs/reliability.md.
 */
import { basename } from 'node:path';

export const TEST_FAULT_ENV = 'SMALL_CONVNET_TEST_FAULT';

export type FaultAction = 'kill' | 'enospc';

interface FaultPlan {
  action: FaultAction;
  name: string;
  occurrence: number;
}

function parsePlan(text: string | undefined): FaultPlan | null {
  const match = /^(kill|enospc):([^:]+)(?::(\d+))?$/.exec(text ?? '');
  return match ? { action: match[1] as FaultAction, name: match[2], occurrence: Number(match[3] ?? 1) } : null;
}

// Test-only process state, made at the first durable write (not at import): the plan, and how many matching
// writes were seen. A count per process is what the plan means.
let faults: { plan: FaultPlan | null; seen: number } | undefined;

function matches(pattern: string, name: string): boolean {
  return pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

/** The fault due at this durable write of `target`, if the test environment asks for one. */
export function faultAt(target: string): FaultAction | null {
  faults ??= { plan: parsePlan(process.env[TEST_FAULT_ENV]), seen: 0 };
  const { plan } = faults;
  if (plan === null || !matches(plan.name, basename(target))) return null;
  faults.seen++;
  return faults.seen === plan.occurrence ? plan.action : null;
}

export function killNow(): never {
  process.kill(process.pid, 'SIGKILL');
  // SIGKILL cannot be caught; this only runs if the signal is somehow delayed.
  throw new Error('test fault: SIGKILL did not stop the process');
}

export function diskFullError(syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOSPC: no space left on device, ${syscall}`), { code: 'ENOSPC', errno: -28, syscall });
}
