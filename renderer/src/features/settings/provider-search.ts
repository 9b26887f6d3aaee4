/** "Add provider" search: case-insensitive match on name, id and keywords; every word must match. */
export interface SearchableProvider {
  providerID: string;
  name: string;
  keywords: string[];
}

export function filterProviders<T extends SearchableProvider>(providers: readonly T[], query: string): T[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...providers];
  return providers.filter((p) => {
    const hay = [p.name, p.providerID, ...p.keywords].join(' ').toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** Connected providers, alphabetical by display name (the CLI sorts the same way). */
export function sortByName<T extends { name: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }));
}
