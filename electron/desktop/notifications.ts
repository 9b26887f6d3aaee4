/**
 * Which gateway events deserve a desktop notification, and how often. A burst of 429s must
 * not become a burst of notifications: rotations are shown at most once a minute per
 * provider, "all limited" at most once per five minutes per provider, "needs re-login" and a
 * limit forecast once per account (and window) per half hour, "available again" once per
 * account per ten minutes. Stateful only through the injected clock.
 */
import { PROVIDER_NAMES } from '../../shared/domain.js';
import type { ActivityEvent } from '../../shared/activity.js';

export interface DesktopNotification {
  title: string;
  body: string;
}

export interface NotificationPolicyOptions {
  now?: () => number;
  rotationIntervalMs?: number;
  allLimitedIntervalMs?: number;
  reauthIntervalMs?: number;
  forecastIntervalMs?: number;
  freedIntervalMs?: number;
}

export function createNotificationPolicy(options: NotificationPolicyOptions = {}) {
  const now = options.now ?? Date.now;
  const intervals = {
    rotation: options.rotationIntervalMs ?? 60_000,
    'all-limited': options.allLimitedIntervalMs ?? 5 * 60_000,
    'needs-reauth': options.reauthIntervalMs ?? 30 * 60_000,
    'limit-forecast': options.forecastIntervalMs ?? 30 * 60_000,
    'account-freed': options.freedIntervalMs ?? 10 * 60_000,
  };
  const lastShown = new Map<string, number>();

  function allowed(kind: keyof typeof intervals, key: string): boolean {
    const id = `${kind}:${key}`;
    const t = now();
    const last = lastShown.get(id);
    if (last !== undefined && t - last < intervals[kind]) return false;
    lastShown.set(id, t);
    return true;
  }

  return {
    /** The notification for this event, or undefined when it is not worth one (or was shown recently). */
    notificationFor(event: ActivityEvent): DesktopNotification | undefined {
      switch (event.kind) {
        case 'request':
          return undefined;
        case 'rotation': {
          const e = event.event;
          if (!allowed('rotation', e.providerID)) return undefined;
          // The gateway's message already reads like "429 on Account 2 → Account 3".
          return { title: `${PROVIDER_NAMES[e.providerID]}: switched account`, body: e.message || `${e.fromLabel} hit a limit (${e.status}).` };
        }
        case 'all-limited':
          if (!allowed('all-limited', event.providerID)) return undefined;
          return { title: `${PROVIDER_NAMES[event.providerID]}: every account is limited`, body: event.message };
        case 'needs-reauth':
          if (!allowed('needs-reauth', `${event.providerID}:${event.recordID}`)) return undefined;
          return {
            title: `${PROVIDER_NAMES[event.providerID]}: log in again`,
            body: `${event.label} was signed out. Open Settings → ${PROVIDER_NAMES[event.providerID]} and add the account again.`,
          };
        case 'limit-forecast': {
          const w = event.warning;
          if (!allowed('limit-forecast', `${w.providerID}:${w.recordID}:${w.windowKey}`)) return undefined;
          return { title: `${PROVIDER_NAMES[w.providerID]}: ${w.label} runs out soon`, body: w.message };
        }
        case 'account-freed': {
          const f = event.freed;
          if (!allowed('account-freed', `${f.providerID}:${f.recordID}`)) return undefined;
          return { title: `${PROVIDER_NAMES[f.providerID]}: ${f.label} is available again`, body: f.message };
        }
      }
    },
  };
}

export type NotificationPolicy = ReturnType<typeof createNotificationPolicy>;
