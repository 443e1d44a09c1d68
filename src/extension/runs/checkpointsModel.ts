/**
 * The Checkpoints view's tree as plain data: one node per run under `<work>/runs/` (newest first), its best
 * checkpoint as the child; no nodes when there is no run (the view's welcome text shows then).
 * views/checkpointsTree.ts maps the nodes to TreeItems. No `vscode`.
 */
import { checkpointItemSpec, runItemSpec, type TreeItemSpec } from './runPresentation';
import { listRuns, type RunOnDisk } from './runStore';

export type RunNode = { kind: 'run'; run: RunOnDisk; activeHere: boolean };
export type CheckpointsNode = RunNode | { kind: 'checkpoint'; run: RunOnDisk; checkpointDir: string };

export interface CheckpointsSource {
  workFolder: string;
  /** Is the run folder being trained by this window right now? */
  isActiveHere: (runDir: string) => boolean;
}

/**
 * What changed since the tree last listed the runs: nothing; some runs, whose nodes were updated in place (refresh
 * just those); or the list of runs itself (refresh everything).
 */
export type CheckpointsChange = { kind: 'none' } | { kind: 'runs'; nodes: RunNode[] } | { kind: 'all' };

/** Everything a run's node and its checkpoint child show. */
function signatureOf(run: RunOnDisk, activeHere: boolean): string {
  return JSON.stringify([run.record, run.best, run.evaluation, run.history?.epochs.length ?? 0, activeHere]);
}

export class CheckpointsModel {
  /**
   * The run nodes the tree was last given, by run folder, with what they showed. Refreshing the whole tree
   * while someone expands a run makes VS Code drop that run's children ("No tree item with id ... found"),
   * so changes() lets the view refresh only the runs that changed, keeping their node objects.
   */
  private listed: { order: string[]; nodes: Map<string, { node: RunNode; signature: string }> } | null = null;

  constructor(private readonly source: () => CheckpointsSource) {}

  async children(node: CheckpointsNode | undefined): Promise<CheckpointsNode[]> {
    if (node === undefined) {
      const { workFolder, isActiveHere } = this.source();
      const runs = await listRuns(workFolder);
      const nodes = new Map<string, { node: RunNode; signature: string }>();
      for (const run of runs) {
        const activeHere = isActiveHere(run.runDir);
        const known = this.listed?.nodes.get(run.runDir)?.node;
        const runNode: RunNode = known ?? { kind: 'run', run, activeHere };
        runNode.run = run;
        runNode.activeHere = activeHere;
        nodes.set(run.runDir, { node: runNode, signature: signatureOf(run, activeHere) });
      }
      this.listed = { order: runs.map((run) => run.runDir), nodes };
      return [...nodes.values()].map((entry) => entry.node);
    }
    if (node.kind !== 'run') return [];
    const spec = checkpointItemSpec(node.run);
    return spec === null ? [] : [{ kind: 'checkpoint', run: node.run, checkpointDir: spec.path }];
  }

  /** Reads the runs again and compares them with what the tree was last given (see CheckpointsChange). */
  async changes(): Promise<CheckpointsChange> {
    const listed = this.listed;
    if (listed === null) return { kind: 'all' };
    const { workFolder, isActiveHere } = this.source();
    const runs = await listRuns(workFolder);
    if (this.listed !== listed) return { kind: 'all' }; // listed again meanwhile
    if (runs.map((run) => run.runDir).join('\n') !== listed.order.join('\n')) return { kind: 'all' };
    const changed: RunNode[] = [];
    for (const run of runs) {
      const entry = listed.nodes.get(run.runDir);
      if (entry === undefined) return { kind: 'all' };
      const activeHere = isActiveHere(run.runDir);
      const signature = signatureOf(run, activeHere);
      if (signature === entry.signature) continue;
      entry.node.run = run;
      entry.node.activeHere = activeHere;
      entry.signature = signature;
      changed.push(entry.node);
    }
    return changed.length === 0 ? { kind: 'none' } : { kind: 'runs', nodes: changed };
  }
}

export function checkpointsItemSpec(node: CheckpointsNode): TreeItemSpec {
  switch (node.kind) {
    case 'run':
      return runItemSpec(node.run, node.activeHere);
    case 'checkpoint': {
      const spec = checkpointItemSpec(node.run);
      if (spec === null) throw new Error(`Run ${node.run.runDir} has no best checkpoint`);
      return spec;
    }
  }
}
