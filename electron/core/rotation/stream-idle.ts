/**
 * The stream idle limit (ROTARY_UPSTREAM_STREAM_IDLE_MS) for every upstream body at once, with
 * one coarse interval instead of a timer per body: a chunk only sets a flag on its watch, and
 * each tick counts the ticks a watch went without one. At a thousand streams of fifty events a
 * second that is a thousandth of the timer work undici's per-chunk refresh did, and nothing is
 * created or reset on a chunk.
 *
 * A watch that is paused (the client is not reading, so the gateway stopped reading upstream)
 * is not silent: silence counts only while Rotary is waiting for the upstream.
 */

/** The error a silent body is destroyed with; `code` matches undici's own body timeout. */
export class StreamIdleError extends Error {
  readonly code = 'UND_ERR_BODY_TIMEOUT';
  constructor(idleMs: number) {
    super(`The upstream sent nothing for ${idleMs} ms.`);
    this.name = 'StreamIdleError';
  }
}

export interface IdleWatch {
  /** Set on every chunk: the only per-chunk work. */
  seen: boolean;
  /** While true the watch never fires (the reader stopped reading on purpose). */
  paused: boolean;
  /** Ticks in a row without `seen`. */
  quietTicks: number;
  readonly onIdle: () => void;
}

/** Ticks of silence that make a body idle: the limit is met within a quarter more than itself. */
const TICKS_PER_LIMIT = 4;
const MIN_TICK_MS = 25;
const MAX_TICK_MS = 1000;

export class StreamIdleWatcher {
  private readonly watches = new Set<IdleWatch>();
  private timer: NodeJS.Timeout | undefined;
  readonly tickMs: number;
  private readonly ticksToIdle: number;

  constructor(readonly idleMs: number) {
    this.tickMs = Math.max(MIN_TICK_MS, Math.min(MAX_TICK_MS, Math.floor(idleMs / TICKS_PER_LIMIT)));
    this.ticksToIdle = Math.max(1, Math.ceil(idleMs / this.tickMs));
  }

  /** Starts watching one body; `onIdle` runs once when it has been silent for the limit. Call `unwatch` when the body is over. */
  watch(onIdle: () => void): IdleWatch {
    const w: IdleWatch = { seen: true, paused: false, quietTicks: 0, onIdle };
    this.watches.add(w);
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), this.tickMs);
      this.timer.unref();
    }
    return w;
  }

  /** Stops watching (the interval itself stops at its next tick with nothing to watch, so short requests in a row do not create one each). */
  unwatch(w: IdleWatch): void {
    this.watches.delete(w);
  }

  /** Bodies being watched (tests, diagnostics). */
  get size(): number {
    return this.watches.size;
  }

  close(): void {
    this.watches.clear();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    if (this.watches.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    for (const w of this.watches) {
      if (w.seen || w.paused) {
        w.seen = false;
        w.quietTicks = 0;
        continue;
      }
      if (++w.quietTicks >= this.ticksToIdle) {
        this.unwatch(w);
        w.onIdle();
      }
    }
  }
}
