/**
 * A RunRecord made from a live run's messages, sent as `run-loaded` under the run folder's key right after
 * `run-started`: the panel knows the run under its temporary key by then and links the two keys (same runId),
 * so later messages under the run folder's key land on the same run. Pure.
 */
import * as path from 'node:path';
import type { RunRecord } from '../../shared/runFiles';
import type { BackendName, RunStartedMessage, TrainerMessage } from '../../shared/trainerProtocol';

export function runRecordFromStream(options: { started: RunStartedMessage; journal: readonly TrainerMessage[]; now: Date }): RunRecord {
  const { started, journal } = options;
  let backend: BackendName = 'wasm';
  let dataDir = '';
  for (const message of journal) {
    if (message.type === 'backend') backend = message.backend;
    if (message.type === 'prepared') dataDir = message.outDir;
    if (message.type === 'dataset-loaded' && message.subset === 'train' && dataDir === '') dataDir = path.dirname(message.dir);
  }
  return {
    version: 1,
    runId: started.runId,
    settings: started.settings,
    classes: started.classes,
    dataDir,
    manifestId: started.manifestId,
    backend,
    startedAt: options.now.toISOString(),
    finishedAt: null,
    status: 'running',
    message: null,
    skippedFiles: started.skippedFiles ?? 0,
    trainCount: started.trainCount,
    validationCount: started.validationCount,
    engine: started.engine,
  };
}
