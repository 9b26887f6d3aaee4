/**
 * The rotation settings in force: the store's settings (Settings, `rotary config`), with the
 * environment winning (`ROTARY_ROTATION_POLICY`, `ROTARY_FORECAST_LEAD_MINUTES`), the way
 * every other ROTARY_* variable wins over a stored choice. A bad value in the environment is
 * an error that names the variable, not a silent fallback.
 */
import { ROTATION_POLICIES, type RotationPolicy } from '../../../shared/activity.js';
import { RotaryError } from '../errors.js';
import { LeadMinutesSchema, type Settings } from '../pool/store-schema.js';

export const POLICY_ENV = 'ROTARY_ROTATION_POLICY';
export const LEAD_ENV = 'ROTARY_FORECAST_LEAD_MINUTES';

export interface RotationSettings {
  policy: RotationPolicy;
  leadMinutes: number;
  proactiveThreshold: number;
  /** Which settings the environment decides (the UI and `rotary config` say so). */
  fromEnv: { policy?: typeof POLICY_ENV; leadMinutes?: typeof LEAD_ENV };
}

export interface EnvOverrides {
  policy?: RotationPolicy;
  leadMinutes?: number;
}

/** Parse the two variables once; throws RotaryError('bad-input') naming the bad one. */
export function rotationEnv(env: NodeJS.ProcessEnv): EnvOverrides {
  const out: EnvOverrides = {};
  const policy = env[POLICY_ENV]?.trim();
  if (policy) {
    if (!(ROTATION_POLICIES as readonly string[]).includes(policy)) {
      throw new RotaryError('bad-input', `${POLICY_ENV} must be ${ROTATION_POLICIES.join(' or ')}, not "${policy.slice(0, 30)}".`);
    }
    out.policy = policy as RotationPolicy;
  }
  const lead = env[LEAD_ENV]?.trim();
  if (lead) {
    const parsed = LeadMinutesSchema.safeParse(/^\d+$/.test(lead) ? Number(lead) : NaN);
    if (!parsed.success) throw new RotaryError('bad-input', `${LEAD_ENV} must be a whole number of minutes from 1 to 1440, not "${lead.slice(0, 30)}".`);
    out.leadMinutes = parsed.data;
  }
  return out;
}

export function rotationSettings(stored: Settings, env: EnvOverrides): RotationSettings {
  return {
    policy: env.policy ?? stored.rotationPolicy,
    leadMinutes: env.leadMinutes ?? stored.forecastLeadMinutes,
    proactiveThreshold: stored.proactiveThreshold,
    fromEnv: { ...(env.policy ? { policy: POLICY_ENV } : {}), ...(env.leadMinutes ? { leadMinutes: LEAD_ENV } : {}) },
  };
}
