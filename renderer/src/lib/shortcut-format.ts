/** Shortcut keys as this OS writes them: the core says "Ctrl/Cmd+,"; a Mac shows "⌘,", others "Ctrl+,". */
export function isMacPlatform(platform: string): boolean {
  return /Mac|iPhone|iPad/.test(platform);
}

export function shortcutForOS(keys: string, mac: boolean): string {
  return keys.replace(/Ctrl\/Cmd\+/g, mac ? '⌘' : 'Ctrl+');
}

export const isMac = (): boolean => isMacPlatform(navigator.platform || navigator.userAgent);
