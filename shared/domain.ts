/**
 * Domain types shared by the core, the IPC contract and the renderer.
 * Schemas are the source of truth; TypeScript types are inferred from them.
 * This module may import only its schema library (zod).
 */
import { z } from 'zod';

export const PROVIDER_IDS = ['anthropic', 'github-copilot', 'openai'] as const;
export const ProviderIDSchema = z.enum(PROVIDER_IDS);
export type ProviderID = z.infer<typeof ProviderIDSchema>;

/** Human names, used by the UI and the CLI. */
export const PROVIDER_NAMES: Record<ProviderID, string> = {
  anthropic: 'Anthropic',
  'github-copilot': 'GitHub Copilot',
  openai: 'OpenAI (ChatGPT / Codex)',
};

/** Short names for dense rows (the conversation list). */
export const PROVIDER_SHORT_NAMES: Record<ProviderID, string> = {
  anthropic: 'Anthropic',
  'github-copilot': 'Copilot',
  openai: 'Codex',
};

/** Title of a provider's limits block (the context panel). */
export const PROVIDER_LIMITS_TITLES: Record<ProviderID, string> = {
  anthropic: 'Anthropic Rate Limits',
  'github-copilot': 'Copilot Limits',
  openai: 'Codex Rate Limits',
};

export const DEFAULT_NAMESPACE = 'default';

/** One usage window (5-hour, weekly, monthly premium requests…). */
export const UsageWindowSchema = z.object({
  /** Stable key: `five_hour`, `seven_day`, `seven_day_sonnet`, `seven_day_opus`, `primary`, `secondary`, `premium`, Copilot's `chat`, `session`, `weekly`, or `scoped:<name>`. */
  key: z.string(),
  /** Human label: "5-hour", "7-day (all)", "7-day (Sonnet)"… */
  label: z.string(),
  /** Percent used, 0–100 (may exceed 100; clamp only for display). */
  percentUsed: z.number(),
  /** Epoch ms of the reset, when known. */
  resetsAt: z.number().optional(),
});
export type UsageWindow = z.infer<typeof UsageWindowSchema>;

export const UsageSnapshotSchema = z.object({
  windows: z.array(UsageWindowSchema),
  /** Epoch ms when these numbers were read. */
  asOf: z.number(),
  /** Where they came from: response headers (free) or the usage endpoint. */
  source: z.enum(['headers', 'endpoint']),
  /** Set when the last poll failed; the windows are then the last good values. */
  error: z.string().optional(),
});
export type UsageSnapshot = z.infer<typeof UsageSnapshotSchema>;

/** A limit that binds one model family only (Anthropic's weekly Sonnet/Opus caps): the account still serves other models. */
export const ScopedCooldownSchema = z.object({ until: z.number(), reason: z.string().optional() });
export type ScopedCooldown = z.infer<typeof ScopedCooldownSchema>;

export const AccountHealthSchema = z.object({
  cooldownUntil: z.number().optional(),
  cooldownReason: z.string().optional(),
  /** Per model family (`sonnet`, `opus`, …): cooldowns that apply only to requests for that family. */
  scopedCooldowns: z.record(z.string(), ScopedCooldownSchema).optional(),
  lastStatus: z.number().optional(),
  successCount: z.number().int().nonnegative(),
  failureCount: z.number().int().nonnegative(),
  needsReauth: z.boolean().optional(),
  disabled: z.boolean().optional(),
});
export type AccountHealth = z.infer<typeof AccountHealthSchema>;

/** An account as stored in the pool metadata. Never holds a secret. */
export const AccountRecordSchema = z.object({
  id: z.string().min(1),
  providerID: ProviderIDSchema,
  namespace: z.string().min(1),
  label: z.string(),
  email: z.string().optional(),
  accountId: z.string().optional(),
  createdAt: z.number(),
  updatedAt: z.number(),
  health: AccountHealthSchema,
  usage: UsageSnapshotSchema.optional(),
});
export type AccountRecord = z.infer<typeof AccountRecordSchema>;

/** `getAccounts()` row: a record plus whether it is the active one. */
export type AccountView = AccountRecord & { isActive: boolean; status: AccountStatus };

export type AccountStatus =
  | { kind: 'ok' }
  | { kind: 'cooling'; until: number; reason?: string }
  | { kind: 'needs-reauth' }
  | { kind: 'disabled' };

export interface PoolSnapshot {
  records: AccountRecord[];
  orderedIDs: string[];
  activeID: string | undefined;
}
