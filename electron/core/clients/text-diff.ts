/** A unified diff of two small texts (config files), for `rotary setup --print` and the app's preview. */
const CONTEXT = 3;
/** Past this many line pairs the LCS table gets large; such a file is shown whole instead. */
const MAX_CELLS = 4_000_000;

type Op = { kind: ' ' | '-' | '+'; line: string; a: number; b: number };

export function unifiedDiff(before: string, after: string, beforeName: string, afterName: string): string {
  if (before === after) return '';
  const a = lines(before);
  const b = lines(after);
  if (a.length * b.length > MAX_CELLS) return `--- ${beforeName}\n+++ ${afterName}\n@@ whole file @@\n${b.map((l) => `+${l}`).join('\n')}\n`;
  const ops = diffOps(a, b);
  const out = [`--- ${beforeName}`, `+++ ${afterName}`];
  for (const hunk of hunks(ops)) {
    const first = hunk[0]!;
    const aCount = hunk.filter((o) => o.kind !== '+').length;
    const bCount = hunk.filter((o) => o.kind !== '-').length;
    out.push(`@@ -${aCount ? first.a + 1 : first.a},${aCount} +${bCount ? first.b + 1 : first.b},${bCount} @@`);
    for (const op of hunk) out.push(`${op.kind}${op.line}`);
  }
  return `${out.join('\n')}\n`;
}

function lines(text: string): string[] {
  if (text === '') return [];
  const parts = text.split('\n');
  if (parts.at(-1) === '') parts.pop();
  return parts;
}

function diffOps(a: string[], b: string[]): Op[] {
  // lcs[i][j] = LCS length of a[i..] and b[j..]
  const lcs: Uint32Array[] = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) ops.push({ kind: ' ', line: a[i++]!, a: i - 1, b: j++ });
    else if (j < b.length && (i === a.length || lcs[i]![j + 1]! > lcs[i + 1]![j]!)) ops.push({ kind: '+', line: b[j++]!, a: i, b: j - 1 });
    else ops.push({ kind: '-', line: a[i++]!, a: i - 1, b: j });
  }
  return ops;
}

/** Changed lines with up to CONTEXT unchanged lines around them; nearby changes share a hunk. */
function hunks(ops: Op[]): Op[][] {
  const changed = ops.map((o, k) => (o.kind === ' ' ? -1 : k)).filter((k) => k >= 0);
  const out: Op[][] = [];
  let start = -1;
  let end = -1;
  for (const k of changed) {
    if (start >= 0 && k - CONTEXT <= end + CONTEXT) {
      end = k;
      continue;
    }
    if (start >= 0) out.push(ops.slice(Math.max(0, start - CONTEXT), Math.min(ops.length, end + CONTEXT + 1)));
    start = k;
    end = k;
  }
  if (start >= 0) out.push(ops.slice(Math.max(0, start - CONTEXT), Math.min(ops.length, end + CONTEXT + 1)));
  return out;
}
