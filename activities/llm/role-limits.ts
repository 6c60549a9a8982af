/**
 * Per-role bounds on concurrent LLM calls inside one worker process, for calls that arrive on the workflow task
 * queue (dispatch `workflow-queue`, core/contracts/llm.ts). There the worker's activity slots are shared by every
 * role and by the cheap activities, so a slot no longer says which model a call may load; this does. On the
 * per-role queues (`role-queues`) the role worker's own slots bound the role and this is not used.
 *
 * Why a wait inside the activity rather than fewer slots: a slot is reserved before the worker knows which
 * activity it will get, so slots can only bound the total. A call waiting here heartbeats (the caller keeps the
 * activity alive), and a cache hit never waits: it costs no model time.
 */
import type { ModelRole } from '../../core/contracts/llm';

export class RoleCallLimits {
  private readonly inFlight = new Map<ModelRole, number>();
  private readonly waiting = new Map<ModelRole, Array<() => void>>();

  constructor(private readonly limits: Partial<Record<ModelRole, number>>) {}

  /** Resolves when a call of `role` may start; call the returned release exactly once when it is done. */
  async acquire(role: ModelRole, signal?: AbortSignal): Promise<() => void> {
    const limit = this.limits[role] ?? Infinity;
    if ((this.inFlight.get(role) ?? 0) >= limit) {
      await new Promise<void>((resolve, reject) => {
        const queue = this.waiting.get(role) ?? [];
        this.waiting.set(role, queue);
        const go = () => resolve();
        queue.push(go);
        signal?.addEventListener(
          'abort',
          () => {
            const i = queue.indexOf(go);
            if (i >= 0) queue.splice(i, 1);
            reject(signal.reason);
          },
          { once: true },
        );
      });
    } else {
      this.inFlight.set(role, (this.inFlight.get(role) ?? 0) + 1);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.get(role)?.shift();
      if (next) next(); // the slot passes to the next waiter: inFlight stays the same
      else this.inFlight.set(role, (this.inFlight.get(role) ?? 1) - 1);
    };
  }

  /** Calls of `role` running and waiting (for tests and status). */
  load(role: ModelRole): { running: number; waiting: number } {
    return { running: this.inFlight.get(role) ?? 0, waiting: this.waiting.get(role)?.length ?? 0 };
  }
}
