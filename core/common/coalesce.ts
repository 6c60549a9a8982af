/**
 * Group-while-busy: requests that arrive while a group is being served wait and go together in the next group;
 * a request that arrives when nothing is in flight goes at once, alone. So a slow stream of requests (items of a
 * real-model run finishing seconds apart) is served one by one with no added delay, and a burst (items of a
 * simulator run finishing together) in a few calls instead of one each. Pure Promise logic driven only by when
 * `serve` resolves, so it is deterministic inside a workflow: on replay the same groups form in the same order.
 */
export function coalescing<Q, R>(serve: (group: Q[]) => Promise<R[]>, maxGroup: number): (request: Q) => Promise<R> {
  let waiting: Array<{ request: Q; resolve: (r: R) => void; reject: (e: unknown) => void }> = [];
  let serving = false;

  async function drain(): Promise<void> {
    serving = true;
    while (waiting.length > 0) {
      const group = waiting.slice(0, maxGroup);
      waiting = waiting.slice(group.length);
      try {
        const results = await serve(group.map((w) => w.request));
        if (results.length !== group.length) throw new Error(`coalescing: ${group.length} requests but ${results.length} results`);
        group.forEach((w, i) => w.resolve(results[i]));
      } catch (err) {
        for (const w of group) w.reject(err);
      }
    }
    serving = false;
  }

  return (request: Q) =>
    new Promise<R>((resolve, reject) => {
      waiting.push({ request, resolve, reject });
      if (!serving) void drain();
    });
}
