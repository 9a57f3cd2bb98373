/**
 * Advance widths of DejaVu Sans, the first font the SVGs ask for (and the one Debian's Chromium
 * draws them with), in thousandths of an em, measured from the font: what a renderer needs to
 * know how wide a label is without a browser. Characters not listed count as a full em.
 */

/** Printable ASCII, from ' ' (32) to '~' (126). */
const ASCII: Record<'normal' | 'bold', readonly number[]> = {
  normal: [
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636,
    636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632,
    575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685,
    611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579,
    278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
  ],
  bold: [
    348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696, 696,
    696, 696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 580, 1000, 774, 762, 734, 830, 683,
    683, 821, 837, 372, 372, 775, 637, 995, 837, 850, 733, 850, 770, 720, 682, 812, 774, 1103, 771,
    724, 725, 457, 365, 457, 838, 500, 500, 675, 716, 593, 716, 678, 435, 716, 712, 343, 343, 665,
    343, 1042, 712, 687, 716, 716, 493, 595, 478, 712, 652, 924, 645, 652, 582, 712, 365, 712, 838,
  ],
};

const OTHER: Record<'normal' | 'bold', Readonly<Record<string, number>>> = {
  normal: { '…': 1000, '→': 838, '–': 500, '·': 318, '×': 838, '✗': 838, '‹': 400, '›': 400 },
  bold: { '…': 1000, '→': 838, '–': 500, '·': 380, '×': 838, '✗': 838, '‹': 412, '›': 412 },
};

/** The advance width of `text` at `size` pixels. */
export function textWidth(text: string, size: number, bold = false): number {
  const weight = bold ? 'bold' : 'normal';
  let w = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    w += (code >= 32 && code < 127 ? ASCII[weight][code - 32] : OTHER[weight][ch]) ?? 1000;
  }
  return (w * size) / 1000;
}
