/** Time left for a count of items, for progress lines and bars (client/progress.ts). */

/**
 * Remaining time at the rate observed since the first snapshot (work done before this client attached does not
 * count): undefined until an item has completed since then, 0 when all are done.
 */
export function etaTracker(now: () => number = Date.now): (done: number, total: number) => number | undefined {
  let start: { at: number; done: number } | undefined;
  return (done, total) => {
    const t = now();
    if (!start || done < start.done) start = { at: t, done };
    const progressed = done - start.done;
    if (progressed <= 0 || done >= total) return done >= total ? 0 : undefined;
    return ((t - start.at) / progressed) * (total - done);
  };
}

export function formatEta(ms: number | undefined): string {
  if (ms === undefined) return '';
  const min = ms / 60_000;
  return ` · ETA ${min < 1 ? `${Math.max(1, Math.round(ms / 1000))} s` : min < 90 ? `${Math.round(min)} min` : `${(min / 60).toFixed(1)} h`}`;
}
