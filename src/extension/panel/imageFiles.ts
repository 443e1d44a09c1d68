/** The local image files a message makes the panel show, to turn into webview URIs first. Pure. */
import type { EvaluationMessage, TrainerMessage } from '../../shared/trainerProtocol';

export function imageFilesOfEvaluation(evaluation: EvaluationMessage): string[] {
  return evaluation.mostConfidentlyWrong.map((wrong) => wrong.file);
}

export function imageFilesOfMessage(message: TrainerMessage): string[] {
  switch (message.type) {
    case 'augmentation-preview':
      return [message.source, ...message.files, ...(message.gridFile !== null ? [message.gridFile] : [])];
    case 'evaluation':
      return imageFilesOfEvaluation(message);
    case 'explanation':
      return [message.overlayFile];
    case 'activations':
      return message.layers.map((layer) => layer.file);
    default:
      return [];
  }
}

/** Folders holding data a message names (open-file may open files below them). */
export function dataFoldersOfMessage(message: TrainerMessage): string[] {
  switch (message.type) {
    case 'prepared':
      return [message.outDir];
    case 'dataset-loaded':
      return [message.dir];
    case 'run-started':
      return [message.runDir];
    case 'evaluation':
      return [message.dataDir];
    default:
      return [];
  }
}
