/**
 * What the gateway reports about traffic: recent conversations, their requests and
 * rotation events. Shown by the main window; pushed live over IPC / the web transport.
 * Never holds tokens or request bodies.
 */
import { z } from 'zod';
import { ProviderIDSchema } from './domain.js';

/** Token composition of one request (Context Breakdown). Request-side parts are estimates (≈ chars/4). */
export const ContextBreakdownSchema = z.object({
  system: z.number(),
  tools: z.number(),
  messages: z.number(),
  cacheRead: z.number(),
  cacheWrite: z.number(),
  output: z.number(),
});
export type ContextBreakdown = z.infer<typeof ContextBreakdownSchema>;

export const RotationEventSchema = z.object({
  at: z.number(),
  providerID: ProviderIDSchema,
  fromRecordID: z.string(),
  fromLabel: z.string(),
  toRecordID: z.string().optional(),
  toLabel: z.string().optional(),
  status: z.number(),
  /** e.g. "429 on Account 2 → Account 3", "All 3 Anthropic accounts are rate-limited; …" */
  message: z.string(),
});
export type RotationEvent = z.infer<typeof RotationEventSchema>;

export const RequestEntrySchema = z.object({
  id: z.string(),
  conversationID: z.string(),
  providerID: ProviderIDSchema,
  at: z.number(),
  method: z.string(),
  path: z.string(),
  model: z.string().optional(),
  stream: z.boolean(),
  recordID: z.string().optional(),
  accountLabel: z.string().optional(),
  status: z.number(),
  latencyMs: z.number(),
  inputTokens: z.number().optional(),
  outputTokens: z.number().optional(),
  breakdown: ContextBreakdownSchema.optional(),
  rotations: z.array(RotationEventSchema),
});
export type RequestEntry = z.infer<typeof RequestEntrySchema>;

export const ConversationSummarySchema = z.object({
  id: z.string(),
  providerID: ProviderIDSchema,
  /** Derived from the affinity key, or "(no session)" traffic grouped per provider. */
  title: z.string(),
  firstAt: z.number(),
  lastAt: z.number(),
  requestCount: z.number(),
  recordID: z.string().optional(),
  accountLabel: z.string().optional(),
  lastModel: z.string().optional(),
});
export type ConversationSummary = z.infer<typeof ConversationSummarySchema>;

export type ActivityEvent =
  | { kind: 'request'; entry: RequestEntry }
  | { kind: 'rotation'; event: RotationEvent }
  | { kind: 'all-limited'; providerID: z.infer<typeof ProviderIDSchema>; message: string; retryAfterSec: number }
  | { kind: 'needs-reauth'; providerID: z.infer<typeof ProviderIDSchema>; recordID: string; label: string };
