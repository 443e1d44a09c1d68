/**
 * A trainer that works in a run folder but is not a child of this window: started by another window, or
 * left running when this window reloaded. Found through the run's trainer.lock; stopped with SIGINT, which
 * the trainer handles like a cancel (it finishes the batch and exits). No `vscode`.
 */
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { LOCK_FILE, parseLockOwner, type TrainerLockOwner } from '../../shared/runFiles';
import { isProcessAlive, runsTrainer } from '../../shared/node/processAlive';

export interface TrainerOwner extends TrainerLockOwner {
  /** The process is alive (only known for this host; another host's owner counts as alive). */
  alive: boolean;
}

/** The run folder's lock owner, or null when no trainer holds it. */
export async function readTrainerOwner(runDir: string): Promise<TrainerOwner | null> {
  let text: string;
  try {
    text = await fs.readFile(path.join(runDir, LOCK_FILE), 'utf8');
  } catch {
    return null;
  }
  const owner = parseLockOwner(text);
  if (owner === null) return null;
  // Alive means a trainer runs under that pid (not another program that got the pid of a trainer long gone).
  return { ...owner, alive: owner.host !== hostname() || (isProcessAlive(owner.pid) && runsTrainer(owner.pid)) };
}

/** What asking a background trainer to stop did: `asked` when it was signalled (now or by an earlier Stop). */
export interface BackgroundStop {
  asked: boolean;
  /** For a person. */
  text: string;
}

/**
 * Trainers this extension host already sent SIGINT, by pid and lock time: a second SIGINT makes the trainer
 * quit at once, without finishing its batch and writing run.json ("interrupted" instead of "stopped"), so a
 * second Stop (a double click, the tree after the panel) does not send another.
 */
const signalled = new Set<string>();

/** Asks the trainer in `runDir` to stop after its batch (SIGINT, once per trainer). */
export async function askBackgroundTrainerToStop(runDir: string): Promise<BackgroundStop> {
  const owner = await readTrainerOwner(runDir);
  if (owner === null) return { asked: false, text: 'No trainer is running in that run folder.' };
  if (owner.host !== hostname()) return { asked: false, text: `That run trains on ${owner.host} (pid ${owner.pid}); stop it there.` };
  if (isProcessAlive(owner.pid) && !runsTrainer(owner.pid)) {
    return { asked: false, text: `Process ${owner.pid} named in ${path.join(runDir, LOCK_FILE)} is not a Small Convnet trainer; nothing was stopped.` };
  }
  if (!owner.alive) return { asked: false, text: 'No trainer is running in that run folder.' };
  const id = `${owner.pid}@${owner.since}`;
  if (signalled.has(id)) return { asked: true, text: `The trainer (pid ${owner.pid}) was already asked to stop; it stops after its current batch.` };
  try {
    process.kill(owner.pid, 'SIGINT');
  } catch (error) {
    return { asked: false, text: `Could not stop the trainer (pid ${owner.pid}): ${(error as Error).message}` };
  }
  signalled.add(id);
  return { asked: true, text: `Asked the trainer (pid ${owner.pid}) to stop after its current batch; its best checkpoint and history stay.` };
}

/** Asks the trainer in `runDir` to stop after its batch. Returns what happened, for a person. */
export async function stopBackgroundTrainer(runDir: string): Promise<string> {
  return (await askBackgroundTrainerToStop(runDir)).text;
}
