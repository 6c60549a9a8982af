/**
 * Awaits a workflow result while polling a progress query. Poll failures are expected (no worker has picked the
 * run up yet, a continue-as-new is in between) and are skipped; the result decides success.
 */
export async function awaitWithProgress<R, P>(result: Promise<R>, poll: () => Promise<P>, onProgress: ((p: P) => void) | undefined, pollMs: number): Promise<R> {
  let finished = false;
  const poller = (async () => {
    while (!finished && onProgress) {
      try {
        onProgress(await poll());
      } catch {
        // not queryable right now: try again
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  })();
  try {
    return await result;
  } finally {
    finished = true;
    await poller;
  }
}
