/**
 * Bench helper used by the measured child processes: samples peak RSS and answers IPC
 * `stats-reset` / `stats-get` with `{rss, cpuMicros}` (peak RSS and CPU time since the reset).
 */
export function serveStats(): void {
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
    } else if (m === 'stats-get') {
      const cpu = process.cpuUsage(cpuStart);
      process.send?.({ rss: Math.max(peak, process.memoryUsage.rss()), cpuMicros: cpu.user + cpu.system });
    }
  });
}
