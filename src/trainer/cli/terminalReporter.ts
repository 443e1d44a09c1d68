/**
 * Renders protocol messages for a person at a terminal, the way Keras prints `fit()`:
 *   Epoch 3/30
 *   63/63 [==============================] - 41s 650ms/step - loss: 0.6012 - accuracy: 0.6755 - val_loss: ...
 * The progress line is redrawn in place (carriage return) while an epoch runs.
 */
import type { TrainerMessage } from '../../shared/trainerProtocol';
import { formatSummary } from '../model/modelSummary';

const BAR_WIDTH = 30;

function bar(done: number, total: number): string {
  const filled = Math.floor((done / Math.max(1, total)) * BAR_WIDTH);
  if (filled >= BAR_WIDTH) return '='.repeat(BAR_WIDTH);
  return '='.repeat(filled) + '>' + '.'.repeat(BAR_WIDTH - filled - 1);
}

function metric(name: string, value: number): string {
  return `${name}: ${value.toFixed(4)}`;
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)}s/step` : `${Math.round(ms)}ms/step`;
}

export class TerminalReporter {
  private progressLine = false;
  private epochs = 0;

  constructor(private readonly write: (text: string) => void) {}

  private line(text: string): void {
    this.endProgress();
    this.write(text + '\n');
  }

  private endProgress(): void {
    if (this.progressLine) this.write('\n');
    this.progressLine = false;
  }

  report(message: TrainerMessage): void {
    switch (message.type) {
      case 'hello':
        return;
      case 'backend': {
        const skipped = message.skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ');
        this.line(`Backend: ${message.backend} - ${message.detail}${skipped ? ` (faster ones skipped - ${skipped})` : ''}`);
        return;
      }
      case 'prepare-progress':
        this.write(`\rCopying images ${message.copied}/${message.total}`);
        this.progressLine = message.copied < message.total;
        if (!this.progressLine) this.write('\n');
        return;
      case 'prepared': {
        const c = message.counts;
        this.line(
          `${message.unchanged ? 'Subsets already prepared' : `Prepared subsets (${message.copied} files copied)`} in ${message.outDir}: ` +
            `train ${c.train}, validation ${c.validation}, test ${c.test} (classes: ${message.classes.join(', ')}; manifest ${message.manifestId})` +
            (message.skipped.length > 0 ? `. Skipped ${message.skipped.length} source entr${message.skipped.length === 1 ? 'y' : 'ies'} that are not images of a class (see the warnings).` : ''),
        );
        return;
      }
      case 'dataset-loaded':
        this.line(
          `Found ${message.count} files belonging to ${message.classes.length} classes (${message.subset}, decoded in ${message.seconds.toFixed(1)}s).` +
            (message.skipped.length > 0 ? ` Skipped ${message.skipped.length} file(s) that are not usable images (see the warnings).` : ''),
        );
        return;
      case 'model-summary':
        this.line(formatSummary(message));
        return;
      case 'run-started':
        this.epochs = message.settings.epochs;
        this.line(
          `Run ${message.runId}: ${message.settings.recipe}, ${message.settings.epochs} epochs, image ${message.settings.imageSize}px, ` +
            `batch ${message.settings.batchSize}, ${message.trainCount} training / ${message.validationCount} validation images on ${message.engine}\n  -> ${message.runDir}`,
        );
        return;
      case 'augmentation-preview':
        this.line(`Augmentation preview: ${message.gridFile ?? message.files.join(', ')}`);
        return;
      case 'batch-end': {
        if (message.batch === 1) this.line(`Epoch ${message.epoch}/${this.epochs}`);
        const width = String(message.batches).length;
        this.write(
          `\r${String(message.batch).padStart(width)}/${message.batches} [${bar(message.batch, message.batches)}] - ` +
            `${formatMs(message.msPerStep)} - ${metric('loss', message.loss)} - ${metric('accuracy', message.accuracy)}`,
        );
        this.progressLine = true;
        return;
      }
      case 'epoch-end': {
        const l = message.logs;
        this.write(` - ${metric('val_loss', l.val_loss)} - ${metric('val_accuracy', l.val_accuracy)} - ${Math.round(message.seconds)}s`);
        this.endProgress();
        return;
      }
      case 'checkpoint-saved':
        this.line(
          message.previous === null
            ? `Epoch ${message.epoch}: val_loss ${message.value.toFixed(5)}, saving model to ${message.dir}`
            : `Epoch ${message.epoch}: val_loss improved from ${message.previous.toFixed(5)} to ${message.value.toFixed(5)}, saving model to ${message.dir}`,
        );
        return;
      case 'evaluation': {
        const rows = message.classes.map((name, i) => `  ${name.padEnd(12)} ${message.confusion[i].map((n) => String(n).padStart(6)).join('')}   accuracy ${message.perClassAccuracy[i].toFixed(3)}`);
        this.line(
          [
            `Test accuracy: ${message.accuracy.toFixed(3)} - test loss: ${message.loss.toFixed(4)} (${message.count} images from ${message.dataDir})`,
            `Confusion matrix (rows: true class, columns: predicted ${message.classes.join(', ')}):`,
            ...rows,
            ...(message.mostConfidentlyWrong.length > 0 ? ['Most confidently wrong:'] : []),
            ...message.mostConfidentlyWrong.slice(0, 5).map((w) => `  ${w.file}: ${w.label} predicted ${w.predicted} (${(w.confidence * 100).toFixed(1)}%)`),
          ].join('\n'),
        );
        return;
      }
      case 'prediction': {
        const probs = message.classes.map((c, i) => `${c} ${(message.probabilities[i] * 100).toFixed(1)}%`).join(', ');
        this.line(`${message.file}: ${message.predicted} (${probs})`);
        return;
      }
      case 'exported':
        this.line(`Exported the checkpoint of epoch ${message.epoch} as ${message.format}: ${message.path} (input ${message.imageSize}x${message.imageSize} RGB 0..255; classes ${message.classes.join(', ')})`);
        return;
      case 'explanation': {
        const probs = message.classes.map((c, i) => `${c} ${(message.probabilities[i] * 100).toFixed(1)}%`).join(', ');
        this.line(`${message.file}: ${message.predicted} (${probs}); where it looked for "${message.explained}": ${message.overlayFile}`);
        return;
      }
      case 'activations':
        this.line([`Feature maps of ${message.file}:`, ...message.layers.map((l) => `  ${l.name} (${l.shape.join('x')}, first ${l.channels} channels): ${l.file}`)].join('\n'));
        return;
      case 'warning':
        this.line(`Warning: ${message.message}`);
        return;
      case 'error':
        this.line(`Error: ${message.message}`);
        return;
      case 'done': {
        const parts = [`${message.command} ${message.status} in ${message.seconds.toFixed(1)}s`];
        if (message.runDir) parts.push(`run: ${message.runDir}`);
        if (message.bestCheckpointDir) parts.push(`best checkpoint: ${message.bestCheckpointDir}`);
        if (message.historyFile) parts.push(`history: ${message.historyFile}`);
        if (message.skippedFiles) parts.push(`skipped files: ${message.skippedFiles} (each named in a warning above)`);
        this.line(parts.join('\n  '));
        return;
      }
    }
  }
}
