/**
 * Forecasts and usage history as the UI, the CLI and the tray see them (issue 15): per account
 * and window the burn rate and when the limit is reached at this pace, per provider how long
 * the pool lasts, the chart data of Provider Detail and the share of each weekly limit that
 * expired unused. Computed in the core (electron/core/history/forecast.ts); carried as these
 * schemas. This module may import only zod and the other `shared/` schema modules.
 */
import { z } from 'zod';
import { RotationPolicySchema } from './activity.js';
import { ProviderIDSchema } from './domain.js';

/**
 * One window's forecast. `outcome`:
 *  - `limited`: already at or above 100 %;
 *  - `limit`: at this pace the limit is reached at `limitAt`, before the window resets;
 *  - `lasts`: at this pace the window lasts past its reset (`resetsAt`), or it is not being used;
 *  - `unknown`: not enough readings yet for a rate.
 */
export const WindowForecastSchema = z.object({
  key: z.string(),
  label: z.string(),
  percentUsed: z.number(),
  resetsAt: z.number().optional(),
  /** Burn rate in percentage points per hour (robust slope over the recent readings). */
  perHour: z.number().optional(),
  outcome: z.enum(['limited', 'limit', 'lasts', 'unknown']),
  limitAt: z.number().optional(),
});
export type WindowForecast = z.infer<typeof WindowForecastSchema>;

export const AccountForecastSchema = z.object({
  recordID: z.string(),
  label: z.string(),
  windows: z.array(WindowForecastSchema),
  /** The first limit this account reaches at its own pace, if any. */
  soonest: z.object({ key: z.string(), label: z.string(), limitAt: z.number() }).optional(),
  /**
   * When it would reach a limit if it carried the provider's whole pace (what the drain-soonest
   * policy checks against the lead time before it puts a new conversation there).
   */
  takeoverLimitAt: z.number().optional(),
});
export type AccountForecast = z.infer<typeof AccountForecastSchema>;

/** How long the usable accounts together last at the provider's pace. */
export const PoolCoverageSchema = z.discriminatedUnion('kind', [
  /** Every account is limited from `at` on; `freesAt`: when the first one frees up again. */
  z.object({ kind: z.literal('until'), at: z.number(), freesAt: z.number().optional() }),
  /** Lasts past `through` (the end of the forecast horizon). */
  z.object({ kind: z.literal('lasts'), through: z.number() }),
  /** No use lately: nothing to project. */
  z.object({ kind: z.literal('idle') }),
  z.object({ kind: z.literal('unknown') }),
]);
export type PoolCoverage = z.infer<typeof PoolCoverageSchema>;

export const ProviderForecastSchema = z.object({
  providerID: ProviderIDSchema,
  policy: RotationPolicySchema,
  leadMinutes: z.number(),
  /** The provider's pace per window (all accounts together), percentage points per hour. */
  pace: z.array(z.object({ key: z.string(), label: z.string(), perHour: z.number() })),
  pool: PoolCoverageSchema,
  accounts: z.array(AccountForecastSchema),
});
export type ProviderForecast = z.infer<typeof ProviderForecastSchema>;

export const ForecastViewSchema = z.object({ at: z.number(), providers: z.array(ProviderForecastSchema) });
export type ForecastView = z.infer<typeof ForecastViewSchema>;

/** The forecast lead time (warnings, the drain-soonest check): whole minutes, 1 minute to 1 day. */
export const LeadMinutesSchema = z.number().int().min(1).max(24 * 60);

/** The rotation settings: what is stored, what is in force, and which of them the environment decides. */
export const RotationSettingsViewSchema = z.object({
  stored: z.object({ rotationPolicy: RotationPolicySchema, forecastLeadMinutes: LeadMinutesSchema, proactiveThreshold: z.number() }),
  effective: z.object({ rotationPolicy: RotationPolicySchema, forecastLeadMinutes: LeadMinutesSchema, proactiveThreshold: z.number() }),
  /** The variable that decides a setting instead of the stored value (ROTARY_ROTATION_POLICY…). */
  fromEnv: z.object({ rotationPolicy: z.string().optional(), forecastLeadMinutes: z.string().optional() }),
});
export type RotationSettingsView = z.infer<typeof RotationSettingsViewSchema>;

const PointSchema = z.tuple([z.number(), z.number()]);

/** One account's usage over one window (the current 5-hour or 7-day one), for a chart. */
export const UsageChartSchema = z.object({
  key: z.string(),
  label: z.string(),
  kind: z.enum(['session', 'weekly']),
  /** The window's start and end (its reset), epoch ms: the chart's x range. */
  from: z.number(),
  to: z.number(),
  /** [time, percent used], oldest first, step-wise (a value holds until the next one). */
  points: z.array(PointSchema),
  /** Resets inside the range (the window's own end is `to`). */
  resets: z.array(z.number()),
  /** From the latest reading to where this pace leads: the limit, or the reset. */
  forecast: z.object({ from: PointSchema, to: PointSchema, outcome: z.enum(['limit', 'lasts']) }).optional(),
});
export type UsageChart = z.infer<typeof UsageChartSchema>;

/** One week (one weekly window period) of an account: how much of its limit expired unused. */
export const WastedWeekSchema = z.object({
  /** When the window reset (the end of that week). */
  endedAt: z.number(),
  /** The use the week ended with (its last reading). */
  usedPercent: z.number(),
  /** 100 − used: the share that expired unused. */
  wastedPercent: z.number(),
  /** The last reading of that week: a gap before `endedAt` means the end of the week was not seen. */
  lastReadingAt: z.number(),
});
export type WastedWeek = z.infer<typeof WastedWeekSchema>;

/** The pool's accounts stacked on one time axis (the pool view). */
export const PoolChartSchema = z.object({
  kind: z.enum(['session', 'weekly']),
  label: z.string(),
  from: z.number(),
  to: z.number(),
  times: z.array(z.number()),
  series: z.array(z.object({ recordID: z.string(), label: z.string(), values: z.array(z.number()) })),
});
export type PoolChart = z.infer<typeof PoolChartSchema>;

export const UsageHistoryViewSchema = z.object({
  providerID: ProviderIDSchema,
  at: z.number(),
  accounts: z.array(
    z.object({
      recordID: z.string(),
      label: z.string(),
      charts: z.array(UsageChartSchema),
      /** Completed weeks of the last five, newest first. */
      waste: z.array(WastedWeekSchema),
    }),
  ),
  pool: z.array(PoolChartSchema),
});
export type UsageHistoryView = z.infer<typeof UsageHistoryViewSchema>;
