/** How "Connect a tool" words a tool's setup state (kept apart from the view so it is plain data). */
import type { SetupToolStatus } from '../../../../shared/ipc';

export interface SetupStateView {
  label: string;
  /** Tailwind classes of the state's dot. */
  dot: string;
  /** Undo is offered once Rotary's settings may be in the file. */
  canUndo: boolean;
  /** The set-up button's words. */
  action: (title: string) => string;
}

const VIEWS: Record<SetupToolStatus['state'], SetupStateView> = {
  connected: { label: 'Connected', dot: 'bg-ok', canUndo: true, action: (t) => `Set up ${t} again` },
  'not-connected': { label: 'Not connected', dot: 'bg-muted', canUndo: false, action: (t) => `Set up ${t}` },
  'changed-by-hand': { label: 'Changed by hand', dot: 'bg-warn', canUndo: true, action: (t) => `Set up ${t} again` },
  unreadable: { label: 'Config file unreadable', dot: 'bg-danger', canUndo: false, action: (t) => `Set up ${t}` },
};

export function setupStateView(state: SetupToolStatus['state']): SetupStateView {
  return VIEWS[state];
}
