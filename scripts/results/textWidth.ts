/**
 * Approximate width of a line of text in DejaVu Sans (matplotlib's default font), so the chart can size
 * its legend box and place its axis labels without measuring in a browser. Pure.
 */

/** Advance widths of DejaVu Sans for the characters U+0020..U+007E, in thousandths of an em (from DejaVuSans.ttf's hmtx). */
const DEJAVU_SANS_ADVANCES = [
  318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636, 636, 636, 636, 636, 636, 636, 636, 337, 337,
  838, 838, 838, 531, 1000, 684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989,
  685, 611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521,
  392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
];

/** Characters outside printable ASCII: about the width of a digit. */
const OTHER_ADVANCE = 636;

/** Width in pixels of `text` set in DejaVu Sans at `fontSize` pixels. */
export function textWidth(text: string, fontSize: number): number {
  let thousandths = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    thousandths += code >= 0x20 && code <= 0x7e ? DEJAVU_SANS_ADVANCES[code - 0x20] : OTHER_ADVANCE;
  }
  return (thousandths / 1000) * fontSize;
}
