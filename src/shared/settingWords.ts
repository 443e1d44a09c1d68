/**
 * How the trainer's messages name a setting, and how the editor shows those names. The trainer says what the
 * setting is in words and puts its command-line flag in parentheses after them: "Lower the batch size to 17
 * or less (--batch-size)". In the editor the flags mean nothing, so `inEditorWords` puts where the editor sets
 * each one in the parentheses instead: "(Custom… in Train Small Convnet)", "(the smallConvnet.backend
 * setting)". Declared once, for the trainer (which writes `flagNote`) and every reader in the editor
 * (notifications, the panel, the runs' tooltips). Pure.
 */

/** Each flag a trainer message may name, and where the editor sets the same thing. */
export const EDITOR_PLACE_OF_FLAG = {
  '--batch-size': 'Custom… in Train Small Convnet',
  '--image-size': 'Custom… in Train Small Convnet',
  '--learning-rate': 'Custom… in Train Small Convnet',
  '--split': 'Custom split… in Train Small Convnet',
  '--backend': 'the smallConvnet.backend setting',
  '--out': 'the smallConvnet.outputFolder setting',
} as const;
export type SettingFlag = keyof typeof EDITOR_PLACE_OF_FLAG;

/** "(--flag)", as trainer messages write it after the words for the setting. */
export function flagNote(flag: SettingFlag): string {
  return `(${flag})`;
}

function isSettingFlag(flag: string): flag is SettingFlag {
  return Object.prototype.hasOwnProperty.call(EDITOR_PLACE_OF_FLAG, flag);
}

/** A trainer message as the editor shows it: every "(--flag)" of a setting becomes "(where the editor sets it)". */
export function inEditorWords(message: string): string {
  return message.replace(/\((--[a-z-]+)\)/g, (note, flag: string) => (isSettingFlag(flag) ? `(${EDITOR_PLACE_OF_FLAG[flag]})` : note));
}
