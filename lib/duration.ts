/** "6d 23h 59m 58s", "59m 02s", "8s": a span for a ticking countdown, the two or more largest units down to seconds. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(Math.abs(ms) / 1000));
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  if (days > 0) return `${days}d ${pad(hours)}h ${pad(minutes)}m ${pad(seconds)}s`;
  if (hours > 0) return `${hours}h ${pad(minutes)}m ${pad(seconds)}s`;
  if (minutes > 0) return `${minutes}m ${pad(seconds)}s`;
  return `${seconds}s`;
}

/** The countdown's words: "6d 23h 59m 58s left" or "expired 5m 02s ago". */
export function formatCountdown(until: Date, now: Date): string {
  const left = until.getTime() - now.getTime();
  return left > 0 ? `${formatDuration(left)} left` : `expired ${formatDuration(-left)} ago`;
}
