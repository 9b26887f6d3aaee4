/** Light / dark / system: a class on <html> that styles.css reads; the choice persists locally. */
import { createSignal } from 'solid-js';

export type Theme = 'system' | 'light' | 'dark';
const KEY = 'rotary.theme';

function read(): Theme {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

const [current, setCurrent] = createSignal<Theme>(read());
export const theme = current;

export function applyTheme(value: Theme = current()): void {
  const root = document.documentElement;
  root.classList.toggle('light', value === 'light');
  root.classList.toggle('dark', value === 'dark' || (value === 'system' && matchMedia('(prefers-color-scheme: dark)').matches));
}

export function setTheme(value: Theme): void {
  setCurrent(value);
  try {
    localStorage.setItem(KEY, value);
  } catch {
    /* private mode: the choice lasts for this window only */
  }
  applyTheme(value);
}

/** Keeps `.dark` in step with the system while the choice is "system". */
export function watchSystemTheme(): void {
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    if (current() === 'system') applyTheme('system');
  });
}
