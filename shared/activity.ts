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

/** The rotation policies (PRODUCT §3 and issue 15): which account a new conversation starts on. */
export const ROTATION_POLICIES = ['active-first', 'drain-soonest'] as const;
export const RotationPolicySchema = z.enum(ROTATION_POLICIES);
export type RotationPolicy = z.infer<typeof RotationPolicySchema>;

/**
 * Why a request went to the account that served it: the policy in force and the rule that
 * picked the account (`bound`: the conversation stays on its account; `active`: the active
 * account; `proactive`: moved off a nearly full active account; `drain-soonest`: the usable
 * account whose weekly window resets first; `failover`: the next account after a failure).
 */
export const AccountPickSchema = z.object({
  policy: RotationPolicySchema,
  rule: z.enum(['bound', 'active', 'proactive', 'drain-soonest', 'failover']),
  /** e.g. "weekly window resets first (Sun 16:30); skipped Account 1: 5-hour limit forecast at 14:05" */
  reason: z.string(),
});
export type AccountPick = z.infer<typeof AccountPickSchema>;

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
  pick: AccountPickSchema.optional(),
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

/** An account is forecast to hit a limit within the lead time (at the pace of the last hour or so). */
export const LimitForecastSchema = z.object({
  at: z.number(),
  providerID: ProviderIDSchema,
  recordID: z.string(),
  label: z.string(),
  windowKey: z.string(),
  windowLabel: z.string(),
  /** When the limit is reached at this pace (epoch ms). */
  limitAt: z.number(),
  leadMinutes: z.number(),
  /** e.g. "At this pace Account 1 reaches its 5-hour limit at 14:05 (in 24 min)." */
  message: z.string(),
});
export type LimitForecast = z.infer<typeof LimitForecastSchema>;

/** A limited (cooling-down) account can take requests again. */
export const AccountFreedSchema = z.object({
  at: z.number(),
  providerID: ProviderIDSchema,
  recordID: z.string(),
  label: z.string(),
  message: z.string(),
});
export type AccountFreed = z.infer<typeof AccountFreedSchema>;

export type ActivityEvent =
  | { kind: 'request'; entry: RequestEntry }
  | { kind: 'rotation'; event: RotationEvent }
  | { kind: 'all-limited'; providerID: z.infer<typeof ProviderIDSchema>; message: string; retryAfterSec: number }
  | { kind: 'needs-reauth'; providerID: z.infer<typeof ProviderIDSchema>; recordID: string; label: string }
  | { kind: 'limit-forecast'; warning: LimitForecast }
  | { kind: 'account-freed'; freed: AccountFreed };
