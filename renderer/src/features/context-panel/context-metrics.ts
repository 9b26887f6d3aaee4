/** Context Breakdown numbers: the parts of one request, their shares and labels. Pure. */
import type { ContextBreakdown } from '../../../../shared/activity';

export interface BreakdownPart {
  key: keyof ContextBreakdown;
  label: string;
  tokens: number;
  /** Share of the total, 0–100, rounded to one decimal. */
  percent: number;
  /** Tailwind background class of the segment. */
  colour: string;
}

const PARTS: Array<{ key: keyof ContextBreakdown; label: string; colour: string }> = [
  { key: 'system', label: 'System', colour: 'bg-[#7c5cff]' },
  { key: 'tools', label: 'Tools', colour: 'bg-[#e0a100]' },
  { key: 'messages', label: 'Messages', colour: 'bg-[#2f8fd0]' },
  { key: 'cacheRead', label: 'Cache read', colour: 'bg-[#2fb38a]' },
  { key: 'cacheWrite', label: 'Cache write', colour: 'bg-[#d0602f]' },
  { key: 'output', label: 'Output', colour: 'bg-[#c2408f]' },
];

export function breakdownParts(b: ContextBreakdown): { total: number; parts: BreakdownPart[] } {
  const clean = (n: number) => (Number.isFinite(n) && n > 0 ? n : 0);
  const total = PARTS.reduce((sum, p) => sum + clean(b[p.key]), 0);
  const parts = PARTS.map((p) => {
    const tokens = clean(b[p.key]);
    return {
      key: p.key,
      label: p.label,
      colour: p.colour,
      tokens,
      percent: total > 0 ? Math.round((tokens / total) * 1000) / 10 : 0,
    };
  });
  return { total, parts };
}
