/**
 * Bounds on concurrent LLM calls inside one worker process, for calls that arrive on the workflow task queue
 * (dispatch `workflow-queue`, core/contracts/llm.ts). There the worker's activity slots are shared by every role and
 * by the cheap activities, so a slot no longer says which model a call may load; this does. On the per-role queues
 * (`role-queues`) the role worker's own slots bound the role and this is not used.
 *
 * Roles that call the same model share one pool, the sum of their concurrency (a worker serving one config knows
 * each role's model): a local server has that many slots, and a slot left free by the optimizer serves a backbone
 * or judge call instead of idling while they queue. Roles with no known model keep their own bound.
 *
 * Why a wait inside the activity rather than fewer slots: a slot is reserved before the worker knows which activity
 * it will get, so slots can only bound the total. A call waiting here heartbeats (the caller keeps the activity
 * alive), and a cache hit never waits: it costs no model time.
 */
import type { ModelRole } from '../../core/contracts/llm';

export interface RoleBound {
  concurrency: number;
  /** The model the role calls; roles naming the same model share their slots. */
  model?: string;
}

export class RoleCallLimits {
  private readonly poolOf = new Map<ModelRole, string>();
  private readonly capacity = new Map<string, number>();
  private readonly inFlight = new Map<string, number>();
  private readonly waiting = new Map<string, Array<() => void>>();

  constructor(bounds: Partial<Record<ModelRole, RoleBound>>) {
    for (const [role, b] of Object.entries(bounds) as Array<[ModelRole, RoleBound]>) {
      const pool = b.model !== undefined ? `model:${b.model}` : `role:${role}`;
      this.poolOf.set(role, pool);
      this.capacity.set(pool, (this.capacity.get(pool) ?? 0) + b.concurrency);
    }
  }

  /** Resolves when a call of `role` may start; call the returned release exactly once when it is done. */
  async acquire(role: ModelRole, signal?: AbortSignal): Promise<() => void> {
    const pool = this.poolOf.get(role) ?? `role:${role}`;
    if ((this.inFlight.get(pool) ?? 0) >= (this.capacity.get(pool) ?? Infinity)) {
      await new Promise<void>((resolve, reject) => {
        const queue = this.waiting.get(pool) ?? [];
        this.waiting.set(pool, queue);
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
      this.inFlight.set(pool, (this.inFlight.get(pool) ?? 0) + 1);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.get(pool)?.shift();
      if (next) next(); // the slot passes to the next waiter, in arrival order: inFlight stays the same
      else this.inFlight.set(pool, (this.inFlight.get(pool) ?? 1) - 1);
    };
  }

  /** Calls running and waiting in `role`'s pool (for tests and status). */
  load(role: ModelRole): { running: number; waiting: number } {
    const pool = this.poolOf.get(role) ?? `role:${role}`;
    return { running: this.inFlight.get(pool) ?? 0, waiting: this.waiting.get(pool)?.length ?? 0 };
  }
}
