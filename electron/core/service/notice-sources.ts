/**
 * The notices Rotary's own files raise — the store (a damaged file restored from its last good
 * copy) and the history database (rebuilt, size cap) — in the app's `Notice` shape. The
 * application service turns them into `events:notice`; the gateway process forwards them to
 * the app.
 */
import type { Notice } from '../../../shared/ipc.js';
import type { NoticeSource } from '../history/history.js';
import type { PoolStore, StoreNotice } from '../pool/store.js';

export interface NoticeSources {
  store?: Pick<PoolStore, 'pendingNotices' | 'onNotice'> | undefined;
  history?: { notices: NoticeSource } | undefined;
}

function fromStore(notice: StoreNotice): Omit<Notice, 'at'> {
  return { level: 'warning', code: notice.kind, message: notice.message };
}

/** The notices raised before anyone listened (at start-up), store first. */
export function pendingNotices(sources: NoticeSources): Array<Omit<Notice, 'at'>> {
  return [...(sources.store?.pendingNotices() ?? []).map(fromStore), ...(sources.history?.notices.pendingNotices() ?? [])];
}

/** Every notice raised from now on; returns the unsubscribe. */
export function onNotices(sources: NoticeSources, listener: (notice: Omit<Notice, 'at'>) => void): () => void {
  const offs = [sources.store?.onNotice((n) => listener(fromStore(n))), sources.history?.notices.onNotice(listener)];
  return () => {
    for (const off of offs) off?.();
  };
}
