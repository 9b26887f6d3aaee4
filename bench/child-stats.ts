/**
 * Bench helper used by the measured child processes: samples peak RSS and answers IPC
 * `stats-reset` / `stats-get` with `{rss, cpuMicros}` (peak RSS and CPU time since the reset),
 * plus whatever counters `extra` reports (counted from the reset too).
 */
export function serveStats(extra: () => Record<string, number> = () => ({})): void {
  let extraStart = extra();
  let peak = process.memoryUsage.rss();
  let cpuStart = process.cpuUsage();
  setInterval(() => {
    const rss = process.memoryUsage.rss();
    if (rss > peak) peak = rss;
  }, 50).unref();
  process.on('message', (m) => {
    if (m === 'stats-reset') {
      peak = process.memoryUsage.rss();
      cpuStart = process.cpuUsage();
      extraStart = extra();
    } else if (m === 'stats-get') {
      const cpu = process.cpuUsage(cpuStart);
      const counters = Object.fromEntries(Object.entries(extra()).map(([k, v]) => [k, v - (extraStart[k] ?? 0)]));
      process.send?.({ rss: Math.max(peak, process.memoryUsage.rss()), cpuMicros: cpu.user + cpu.system, ...counters });
    }
  });
}
