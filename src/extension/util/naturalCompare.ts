/** Natural order ("img2" < "img10"), independent of the locale, as the trainer orders files. */
export function naturalCompare(a: string, b: string): number {
  const chunk = /(\d+)|(\D+)/g;
  const partsA = a.match(chunk) ?? [];
  const partsB = b.match(chunk) ?? [];
  for (let i = 0; i < Math.min(partsA.length, partsB.length); i++) {
    const pa = partsA[i];
    const pb = partsB[i];
    if (/^\d/.test(pa) && /^\d/.test(pb)) {
      const ta = pa.replace(/^0+(?=\d)/, '');
      const tb = pb.replace(/^0+(?=\d)/, '');
      if (ta.length !== tb.length) return ta.length - tb.length;
      if (ta !== tb) return ta < tb ? -1 : 1;
    } else if (pa !== pb) {
      return pa < pb ? -1 : 1;
    }
  }
  if (partsA.length !== partsB.length) return partsA.length - partsB.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
