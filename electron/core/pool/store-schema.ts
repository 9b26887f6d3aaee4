/**
 * The store file's shape (pool metadata and settings; never secrets) and its migrations.
 * Bump `STORE_SCHEMA_VERSION` and add a step to `MIGRATIONS` when the shape changes.
 */
import { z } from 'zod';
import { RotationPolicySchema } from '../../../shared/activity.js';
import { AccountRecordSchema } from '../../../shared/domain.js';
import { LeadMinutesSchema } from '../../../shared/forecast.js';

export const STORE_SCHEMA_VERSION = 2;

export const ProviderEntrySchema = z.object({
  /** Active record per namespace. */
  active: z.record(z.string(), z.string()),
  /** Rotation order per namespace. */
  order: z.record(z.string(), z.array(z.string())),
  /** Bumped on every manual switch, so running gateways drop their conversation bindings. */
  switchSeq: z.number().int().nonnegative().default(0),
  records: z.array(AccountRecordSchema),
});
export type ProviderEntry = z.infer<typeof ProviderEntrySchema>;

export { LeadMinutesSchema };

export const SettingsSchema = z.object({
  /** New conversations move off an account whose 5-hour window is above this fraction (active-first). */
  proactiveThreshold: z.number().min(0).max(1).default(0.95),
  /** Which account a new conversation starts on (shared/activity.ts `RotationPolicy`). */
  rotationPolicy: RotationPolicySchema.default('active-first'),
  /** Warn this long before an account is forecast to hit a limit; drain-soonest avoids such accounts. */
  forecastLeadMinutes: LeadMinutesSchema.default(30),
});
export type Settings = z.infer<typeof SettingsSchema>;

export const DEFAULT_SETTINGS: Settings = { proactiveThreshold: 0.95, rotationPolicy: 'active-first', forecastLeadMinutes: 30 };

export const StoreDataSchema = z.object({
  schemaVersion: z.literal(STORE_SCHEMA_VERSION),
  providers: z.record(z.string(), ProviderEntrySchema),
  settings: SettingsSchema.default(DEFAULT_SETTINGS),
});
export type StoreData = z.infer<typeof StoreDataSchema>;

export function emptyStoreData(): StoreData {
  return { schemaVersion: STORE_SCHEMA_VERSION, providers: {}, settings: { ...DEFAULT_SETTINGS } };
}

type Migration = (data: Record<string, unknown>) => Record<string, unknown>;

/** `MIGRATIONS[n]` turns a version-n file into version n+1. */
export const MIGRATIONS: Record<number, Migration> = {
  // Version 0: files without `schemaVersion` (an empty file created by electron-store/conf).
  0: (data) => ({ ...emptyStoreData(), ...data, schemaVersion: 1 }),
  // Version 1 → 2: settings gained the rotation policy and the forecast lead time (issue 15).
  1: (data) => ({ ...data, settings: { ...DEFAULT_SETTINGS, ...(isObject(data.settings) ? data.settings : {}) }, schemaVersion: 2 }),
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class StoreTooNewError extends Error {}

/** Bring raw file content up to the current version. Throws when it cannot be understood. */
export function migrateStoreData(raw: unknown): { data: StoreData; migrated: boolean } {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('the file does not hold a JSON object');
  let data = raw as Record<string, unknown>;
  // Absent: a file from before versions (0). Anything but a whole number ≥ 0 is damage, not a version.
  if ('schemaVersion' in data && !(Number.isInteger(data.schemaVersion) && (data.schemaVersion as number) >= 0)) {
    throw new Error(`its schemaVersion (${JSON.stringify(data.schemaVersion)?.slice(0, 20)}) is not a version number`);
  }
  const start = typeof data.schemaVersion === 'number' ? data.schemaVersion : 0;
  if (start > STORE_SCHEMA_VERSION) {
    throw new StoreTooNewError(`it was written by a newer Rotary (schema ${start}; this one knows ${STORE_SCHEMA_VERSION}). Update Rotary to the version that wrote it, or newer.`);
  }
  for (let version = start; version < STORE_SCHEMA_VERSION; version++) {
    const step = MIGRATIONS[version];
    if (!step) throw new Error(`no migration from schema ${version}`);
    data = step(data);
  }
  const parsed = StoreDataSchema.safeParse(data);
  if (!parsed.success) throw new Error(`it does not match the expected shape (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`);
  return { data: parsed.data, migrated: start !== STORE_SCHEMA_VERSION };
}
