/**
 * Theme variables as VS Code provides them to a webview (a few of the real Light+, Dark+ and High Contrast
 * values), keyed on the body class VS Code sets, so a test can switch themes by switching the class.
 */
const COMMON = `
html {
  --vscode-font-family: system-ui, -apple-system, "Segoe UI", "Ubuntu", "Droid Sans", sans-serif;
  --vscode-font-size: 13px;
  --vscode-font-weight: normal;
  --vscode-editor-font-family: "Droid Sans Mono", "monospace", monospace;
}
`;

const LIGHT = `
body.vscode-light {
  --vscode-foreground: #3b3b3b;
  --vscode-descriptionForeground: #6f6f6f;
  --vscode-editor-background: #ffffff;
  --vscode-editorWidget-background: #f8f8f8;
  --vscode-widget-border: #e5e5e5;
  --vscode-panel-border: #e5e5e5;
  --vscode-editorGroup-border: #e5e5e5;
  --vscode-focusBorder: #005fb8;
  --vscode-textLink-foreground: #005fb8;
  --vscode-textBlockQuote-background: #f8f8f8;
  --vscode-textPreformat-foreground: #3b3b3b;
  --vscode-textPreformat-background: #0000001f;
  --vscode-textCodeBlock-background: #f8f8f8;
  --vscode-list-hoverBackground: #f2f2f2;
  --vscode-errorForeground: #f85149;
  --vscode-editorWarning-foreground: #bf8803;
  --vscode-button-background: #005fb8;
  --vscode-button-foreground: #ffffff;
  --vscode-button-hoverBackground: #0258a8;
  --vscode-button-border: #0000001a;
  --vscode-button-secondaryBackground: #e5e5e5;
  --vscode-button-secondaryForeground: #3b3b3b;
  --vscode-button-secondaryHoverBackground: #cccccc;
  --vscode-checkbox-background: #f8f8f8;
  --vscode-checkbox-border: #cecece;
  --vscode-checkbox-foreground: #3b3b3b;
  --vscode-progressBar-background: #005fb8;
  --vscode-tab-activeForeground: #3b3b3b;
  --vscode-tab-inactiveForeground: #868686;
  --vscode-panelTitle-activeBorder: #005fb8;
  --vscode-charts-foreground: #616161;
  --vscode-charts-lines: #61616180;
  --vscode-charts-blue: #1a85ff;
  --vscode-charts-orange: #d18616;
  --vscode-charts-green: #388a34;
  --vscode-charts-purple: #652d90;
  --vscode-charts-red: #e51400;
  --vscode-charts-yellow: #bf8803;
}
`;

const DARK = `
body.vscode-dark {
  --vscode-foreground: #cccccc;
  --vscode-descriptionForeground: #9d9d9d;
  --vscode-editor-background: #1f1f1f;
  --vscode-editorWidget-background: #202020;
  --vscode-widget-border: #313131;
  --vscode-panel-border: #2b2b2b;
  --vscode-editorGroup-border: #ffffff17;
  --vscode-focusBorder: #0078d4;
  --vscode-textLink-foreground: #4daafc;
  --vscode-textBlockQuote-background: #2b2b2b;
  --vscode-textPreformat-foreground: #d0d0d0;
  --vscode-textPreformat-background: #3c3c3c;
  --vscode-textCodeBlock-background: #2b2b2b;
  --vscode-list-hoverBackground: #2a2d2e;
  --vscode-errorForeground: #f85149;
  --vscode-editorWarning-foreground: #cca700;
  --vscode-button-background: #0078d4;
  --vscode-button-foreground: #ffffff;
  --vscode-button-hoverBackground: #026ec1;
  --vscode-button-border: #ffffff12;
  --vscode-button-secondaryBackground: #313131;
  --vscode-button-secondaryForeground: #cccccc;
  --vscode-button-secondaryHoverBackground: #3c3c3c;
  --vscode-checkbox-background: #313131;
  --vscode-checkbox-border: #3c3c3c;
  --vscode-checkbox-foreground: #cccccc;
  --vscode-progressBar-background: #0078d4;
  --vscode-tab-activeForeground: #ffffff;
  --vscode-tab-inactiveForeground: #9d9d9d;
  --vscode-panelTitle-activeBorder: #0078d4;
  --vscode-charts-foreground: #cccccc;
  --vscode-charts-lines: #cccccc80;
  --vscode-charts-blue: #3794ff;
  --vscode-charts-orange: #d18616;
  --vscode-charts-green: #89d185;
  --vscode-charts-purple: #b180d7;
  --vscode-charts-red: #f14c4c;
  --vscode-charts-yellow: #cca700;
}
`;

const HIGH_CONTRAST = `
body.vscode-high-contrast {
  --vscode-foreground: #ffffff;
  --vscode-descriptionForeground: #ffffffb3;
  --vscode-editor-background: #000000;
  --vscode-editorWidget-background: #0c141f;
  --vscode-contrastBorder: #6fc3df;
  --vscode-contrastActiveBorder: #f38518;
  --vscode-widget-border: #6fc3df;
  --vscode-panel-border: #6fc3df;
  --vscode-focusBorder: #f38518;
  --vscode-textLink-foreground: #21a6ff;
  --vscode-textPreformat-foreground: #ffd700;
  --vscode-textCodeBlock-background: #000000;
  --vscode-errorForeground: #f48771;
  --vscode-editorWarning-foreground: #ffd370;
  --vscode-button-background: #000000;
  --vscode-button-foreground: #ffffff;
  --vscode-button-border: #6fc3df;
  --vscode-button-secondaryBackground: #000000;
  --vscode-button-secondaryForeground: #ffffff;
  --vscode-checkbox-background: #000000;
  --vscode-checkbox-border: #6fc3df;
  --vscode-checkbox-foreground: #ffffff;
  --vscode-progressBar-background: #6fc3df;
  --vscode-tab-activeForeground: #ffffff;
  --vscode-tab-inactiveForeground: #ffffff;
  --vscode-charts-foreground: #ffffff;
  --vscode-charts-lines: #ffffff80;
  --vscode-charts-blue: #00b7ff;
  --vscode-charts-orange: #ff9f1a;
  --vscode-charts-green: #89d185;
  --vscode-charts-purple: #b180d7;
  --vscode-charts-red: #f14c4c;
  --vscode-charts-yellow: #ffd700;
}
`;

export const THEME_CSS = COMMON + LIGHT + DARK + HIGH_CONTRAST;

export type ThemeClass = 'vscode-light' | 'vscode-dark' | 'vscode-high-contrast';
