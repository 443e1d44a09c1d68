/** `--debug-memory`: after every epoch, a log line with the process's memory and each replica's live tensors. */
import type { TrainingEngine } from '../../engine/trainingEngine';
import type { EpochEndEvent } from './trainingCallback';
import { formatMemoryReport, memoryReport } from '../memoryReport';
import type { TrainingCallback } from './trainingCallback';

export class MemoryReportCallback implements TrainingCallback {
  readonly name = 'memory-report';

  constructor(private readonly options: { engine: TrainingEngine; log: (line: string) => void }) {}

  async onEpochEnd(event: EpochEndEvent): Promise<void> {
    this.options.log(formatMemoryReport(await memoryReport({ engine: this.options.engine, epoch: event.epoch })));
  }
}
