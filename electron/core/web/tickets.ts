/**
 * One-time tickets for the SSE stream. `EventSource` cannot send an Authorization header and
 * a `?key=` would put the gateway key in URLs (history, logs), so the page trades its key for
 * a short-lived ticket that is good for one connection.
 */
import { randomBytes } from 'node:crypto';
import { EVENTS_TICKET_TTL_MS } from '../../../shared/ipc.js';

export function createTicketStore(now: () => number = Date.now, ttlMs = EVENTS_TICKET_TTL_MS) {
  const tickets = new Map<string, number>();
  const sweep = () => {
    const t = now();
    for (const [ticket, expiresAt] of tickets) if (expiresAt <= t) tickets.delete(ticket);
  };
  return {
    issue(): { ticket: string; expiresAt: number } {
      sweep();
      const ticket = randomBytes(24).toString('base64url');
      const expiresAt = now() + ttlMs;
      tickets.set(ticket, expiresAt);
      return { ticket, expiresAt };
    },
    /** True once per ticket, and only before it expires. */
    redeem(ticket: string | null | undefined): boolean {
      if (!ticket) return false;
      const expiresAt = tickets.get(ticket);
      tickets.delete(ticket);
      return expiresAt !== undefined && expiresAt > now();
    },
    size: () => tickets.size,
  };
}
