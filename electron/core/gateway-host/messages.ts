/**
 * What the app's process and the gateway process say to each other (over Electron's
 * utilityProcess MessagePort, or Node's child_process IPC channel under plain Node). Both
 * ends are Rotary code, but a message is still checked for its shape on arrival (`isChildMessage`),
 * so a confused or half-started child cannot make the supervisor act on garbage.
 *
 * Secrets on this channel: the gateway key never (each side reads it from the same vault);
 * provider tokens never (events and answers are the activity log's token-free shapes); the
 * encrypted vault's derived key once, parent → child, in `start` (vault-handoff.ts says why).
 */
import type { ActivityEvent, ConversationSummary, RequestEntry } from '../../../shared/activity.js';
import type { Notice } from '../../../shared/ipc.js';
import type { VaultHandoff } from './vault-handoff.js';

/** What the app needs to ask the gateway's activity log. */
export type ActivityQuery = { name: 'conversations'; limit?: number } | { name: 'requests'; conversationID?: string; limit?: number };
export type ActivityAnswer = ConversationSummary[] | RequestEntry[];

export type ParentMessage =
  /** Start the gateway: the vault to open and the port (undefined: ROTARY_GATEWAY_PORT, else the default). */
  | { type: 'start'; vault: VaultHandoff; port?: number; version: string }
  | { type: 'query'; id: number; query: ActivityQuery }
  /** Close the runtime (bookkeeping flushed) and exit. */
  | { type: 'stop' };

export type ChildMessage =
  | { type: 'listening'; url: string; port: number }
  /** The gateway could not start; `code` is the RotaryError code when there is one (`port-in-use`). */
  | { type: 'start-failed'; code?: string; message: string }
  | { type: 'activity'; event: ActivityEvent }
  | { type: 'notice'; notice: Omit<Notice, 'at'> }
  | { type: 'log'; line: string }
  | { type: 'answer'; id: number; ok: true; value: ActivityAnswer }
  | { type: 'answer'; id: number; ok: false; message: string };

const CHILD_TYPES = new Set(['listening', 'start-failed', 'activity', 'notice', 'log', 'answer']);

export function isChildMessage(value: unknown): value is ChildMessage {
  return typeof value === 'object' && value !== null && CHILD_TYPES.has((value as { type?: unknown }).type as string);
}

export function isParentMessage(value: unknown): value is ParentMessage {
  const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
  return type === 'start' || type === 'query' || type === 'stop';
}
