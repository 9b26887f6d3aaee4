/**
 * What went through the gateway lately, for the main window and `GET /events`: a ring
 * buffer of request entries, conversation summaries (most recent first) and a stream of
 * ActivityEvents. Bounded, and never holding tokens or request bodies (types in
 * shared/activity.ts).
 *
 * With a `store` (the history database, history/history.ts) every entry and event is also
 * written there (queued, off the hot path) and reads come from there, so a restart keeps the
 * conversation list and another process sees the same list; when the store cannot answer
 * (the database is off, locked or being rebuilt) reads fall back to what is in memory.
 */
import { EventEmitter } from 'node:events';
import type { ActivityEvent, ConversationSummary, RequestEntry } from '../../../shared/activity.js';
import type { ActivityStore } from '../history/history.js';

export interface ActivityLogOptions {
  /** Request entries kept (default 10,000: a long conversation stays whole in the request list). */
  maxRequests?: number;
  /** Conversations kept (default 200). */
  maxConversations?: number;
  /** Non-request events kept for late subscribers (default 200). */
  maxEvents?: number;
  /** Persistent copy to write through and read from. */
  store?: ActivityStore | undefined;
}

/** Fixed-size ring: O(1) push, oldest overwritten. */
class Ring<T> {
  private items: T[] = [];
  private start = 0;
  constructor(private readonly cap: number) {}
  push(item: T): void {
    if (this.items.length < this.cap) this.items.push(item);
    else {
      this.items[this.start] = item;
      this.start = (this.start + 1) % this.cap;
    }
  }
  /** Newest first. */
  newestFirst(): T[] {
    const out: T[] = [];
    for (let i = this.items.length - 1; i >= 0; i--) out.push(this.items[(this.start + i) % this.items.length]!);
    return out;
  }
  clear(): void {
    this.items = [];
    this.start = 0;
  }
  get size(): number {
    return this.items.length;
  }
}

export class ActivityLog {
  private readonly requestRing: Ring<RequestEntry>;
  private readonly eventRing: Ring<ActivityEvent>;
  /** Insertion order = least recently active first (re-inserted on every request). */
  private readonly convs = new Map<string, ConversationSummary>();
  private readonly maxConversations: number;
  private readonly maxEvents: number;
  private readonly emitter = new EventEmitter();
  private readonly store: ActivityStore | undefined;

  constructor(options: ActivityLogOptions = {}) {
    this.requestRing = new Ring(options.maxRequests ?? 10_000);
    this.maxEvents = options.maxEvents ?? 200;
    this.eventRing = new Ring(this.maxEvents);
    this.maxConversations = options.maxConversations ?? 200;
    this.store = options.store;
    this.emitter.setMaxListeners(0);
  }

  /** A finished request: stored, its conversation updated, and pushed to subscribers. */
  addRequest(entry: RequestEntry, title?: string): void {
    this.requestRing.push(entry);
    this.store?.addRequest(entry, title ?? entry.conversationID);
    const prev = this.convs.get(entry.conversationID);
    if (prev) this.convs.delete(entry.conversationID);
    // Plain assignments, not spreads: this runs once per request.
    const summary: ConversationSummary = {
      id: entry.conversationID,
      providerID: entry.providerID,
      title: prev?.title ?? title ?? entry.conversationID,
      firstAt: prev?.firstAt ?? entry.at,
      lastAt: entry.at,
      requestCount: (prev?.requestCount ?? 0) + 1,
    };
    const recordID = entry.recordID || prev?.recordID;
    if (recordID) summary.recordID = recordID;
    const accountLabel = entry.accountLabel || prev?.accountLabel;
    if (accountLabel) summary.accountLabel = accountLabel;
    const lastModel = entry.model || prev?.lastModel;
    if (lastModel) summary.lastModel = lastModel;
    this.convs.set(entry.conversationID, summary);
    if (this.convs.size > this.maxConversations) {
      const oldest = this.convs.keys().next().value;
      if (oldest !== undefined) this.convs.delete(oldest);
    }
    if (this.emitter.listenerCount('event') > 0) this.emitter.emit('event', { kind: 'request', entry } satisfies ActivityEvent);
  }

  /** Rotation, all-limited and needs-reauth events. */
  emit(event: ActivityEvent): void {
    if (event.kind === 'request') {
      this.addRequest(event.entry);
      return;
    }
    this.eventRing.push(event);
    this.store?.addEvent(event);
    this.emitter.emit('event', event);
  }

  /** Conversations, most recently active first (at most `maxConversations`). */
  conversations(limit = this.maxConversations): ConversationSummary[] {
    return this.store?.conversations(limit) ?? [...this.convs.values()].reverse().slice(0, limit);
  }

  /** Requests, newest first; only one conversation's when `conversationID` is given. */
  requests(conversationID?: string, limit = 200): RequestEntry[] {
    const stored = this.store?.requests(conversationID, limit);
    if (stored) return stored;
    const all = this.requestRing.newestFirst();
    const list = conversationID ? all.filter((r) => r.conversationID === conversationID) : all;
    return list.slice(0, limit);
  }

  /** The newest request (optionally of one provider): the Context Breakdown shows it. */
  latest(providerID?: RequestEntry['providerID']): RequestEntry | undefined {
    return this.requestRing.newestFirst().find((r) => !providerID || r.providerID === providerID);
  }

  /** Recent rotation / all-limited / needs-reauth / forecast events, newest first. */
  recentEvents(): ActivityEvent[] {
    return this.store?.events(this.maxEvents) ?? this.eventRing.newestFirst();
  }

  /** Live events; returns the unsubscribe function. */
  subscribe(listener: (event: ActivityEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  clear(): void {
    this.requestRing.clear();
    this.eventRing.clear();
    this.convs.clear();
  }
}
