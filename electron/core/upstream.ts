/**
 * `ROTARY_UPSTREAM` replaces every provider host, keeping the host as the first path
 * segment: `https://api.anthropic.com/v1/messages` → `$ROTARY_UPSTREAM/api.anthropic.com/v1/messages`.
 * This is the only place that applies it; every outgoing provider URL goes through here.
 */
export function applyUpstream(url: string, upstream: string | undefined = process.env.ROTARY_UPSTREAM): string {
  if (!upstream) return url;
  const parsed = new URL(url);
  const base = upstream.replace(/\/+$/, '');
  return `${base}/${parsed.host}${parsed.pathname}${parsed.search}`;
}
