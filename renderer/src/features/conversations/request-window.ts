/**
 * The request table's rows and which of them to draw. A long conversation has thousands of
 * requests; the table draws only the rows in view (plus a margin) between two spacers, so
 * scrolling costs the same at 10 rows or 10,000. Rows have one fixed height (cells never
 * wrap: they truncate), which makes the window pure arithmetic. Pure; unit-tested.
 */
import type { RequestEntry, RotationEvent } from '../../../../shared/activity';

export type RequestRow =
  | { kind: 'request'; key: string; entry: RequestEntry }
  | { kind: 'rotation'; key: string; event: RotationEvent };

// One row object per entry, kept while the entry lives: the table's <For> then reuses the DOM
// row of a request that stays in view instead of rebuilding it on every append.
const cache = new WeakMap<RequestEntry, RequestRow[]>();

/** Oldest first; each request is preceded by its rotation events (they happened before its answer). */
export function requestRows(entries: readonly RequestEntry[]): RequestRow[] {
  const rows: RequestRow[] = [];
  for (const entry of entries) {
    let mine = cache.get(entry);
    if (!mine) {
      mine = [
        ...entry.rotations.map((event, i): RequestRow => ({ kind: 'rotation', key: `${entry.id}~${i}`, event })),
        { kind: 'request', key: entry.id, entry },
      ];
      cache.set(entry, mine);
    }
    for (const row of mine) rows.push(row);
  }
  return rows;
}

export interface RowWindow {
  start: number;
  end: number;
  /** Heights of the spacers above and below the drawn rows. */
  before: number;
  after: number;
}

/** Rows [start, end) to draw for a scroll position, with `overscan` rows of margin on each side. */
export function rowWindow(total: number, rowHeight: number, scrollTop: number, viewport: number, overscan = 12): RowWindow {
  if (total === 0 || rowHeight <= 0) return { start: 0, end: 0, before: 0, after: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const visible = Math.ceil(Math.max(viewport, rowHeight) / rowHeight);
  const start = Math.max(0, Math.min(total - 1, first - overscan));
  const end = Math.min(total, first + visible + overscan);
  return { start, end, before: start * rowHeight, after: (total - end) * rowHeight };
}

/** At the bottom (within half a row): new requests scroll into view; otherwise the reader's place is kept. */
export function isAtBottom(scrollTop: number, viewport: number, scrollHeight: number, rowHeight: number): boolean {
  return scrollTop + viewport >= scrollHeight - rowHeight / 2;
}
