/**
 * The Checkpoints view's tree as plain data: one node per run under `<work>/runs/` (newest first), its best
 * checkpoint as the child; no nodes when there is no run (the view's welcome text shows then).
 * views/checkpointsTree.ts maps the nodes to TreeItems. No `vscode`.
 */
import { checkpointItemSpec, runItemSpec, type TreeItemSpec } from './runPresentation';
import { listRuns, type RunOnDisk } from './runStore';

export type CheckpointsNode =
  | { kind: 'run'; run: RunOnDisk; activeHere: boolean }
  | { kind: 'checkpoint'; run: RunOnDisk; checkpointDir: string };

export interface CheckpointsSource {
  workFolder: string;
  /** Is the run folder being trained by this window right now? */
  isActiveHere: (runDir: string) => boolean;
}

export class CheckpointsModel {
  constructor(private readonly source: () => CheckpointsSource) {}

  async children(node: CheckpointsNode | undefined): Promise<CheckpointsNode[]> {
    if (node === undefined) {
      const { workFolder, isActiveHere } = this.source();
      const runs = await listRuns(workFolder);
      return runs.map((run) => ({ kind: 'run', run, activeHere: isActiveHere(run.runDir) }));
    }
    if (node.kind !== 'run') return [];
    const spec = checkpointItemSpec(node.run);
    return spec === null ? [] : [{ kind: 'checkpoint', run: node.run, checkpointDir: spec.path }];
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
