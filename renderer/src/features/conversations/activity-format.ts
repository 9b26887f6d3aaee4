/** Texts of the conversation list and request table. Pure; the clock is passed in. */
import type { AccountPick, RequestEntry } from '../../../../shared/activity';

/** "1,234" below 10k, then "12.3k", "1.2M". */
export function formatTokens(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '—';
  if (n < 10_000) return Math.round(n).toLocaleString('en-US');
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 100_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** "850 ms", "1.2 s", "2 min 5 s". */
export function formatLatency(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** 24-hour local clock time "14:03:27". */
export function formatClock(at: number): string {
  const d = new Date(at);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** "just now", "4 min ago", "2 h ago", "3 d ago". */
export function relativeTime(at: number, now: number): string {
  const s = Math.max(0, Math.floor((now - at) / 1000));
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

export type StatusTone = 'ok' | 'limited' | 'error' | 'pending';

/** 2xx ok, 429 limited (rotation territory), other 4xx/5xx error, 0 = no answer yet/aborted. */
export function statusTone(status: number): StatusTone {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 429) return 'limited';
  if (status === 0) return 'pending';
  return 'error';
}

/** "1,200 → 350" (input → output) for the Tokens column. */
export function tokensText(entry: Pick<RequestEntry, 'inputTokens' | 'outputTokens'>): string {
  if (entry.inputTokens === undefined && entry.outputTokens === undefined) return '—';
  return `${formatTokens(entry.inputTokens)} → ${formatTokens(entry.outputTokens)}`;
}

/** Model ids are long ("claude-sonnet-4-5-20250929"); drop a trailing date for the table. */
export function shortModel(model: string | undefined): string {
  if (!model) return '—';
  return model.replace(/-\d{8}$/, '');
}

const PICK_TEXT: Record<AccountPick['rule'], string> = {
  bound: 'conversation',
  active: 'active account',
  proactive: 'proactive switch',
  'drain-soonest': 'drain soonest',
  failover: 'failover',
};

/** The request list's "Picked by" cell: a short rule name ("drain soonest", "conversation": it stayed on its account); the reason goes in the title. */
export function pickText(pick: AccountPick | undefined): string {
  return pick ? PICK_TEXT[pick.rule] : '—';
}
