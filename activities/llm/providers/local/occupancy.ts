/**
 * How busy a managed llama-server's slots are. With a local server the floor on wall-clock is the total generation
 * work divided by the slots' aggregate throughput, so an idle slot is wasted hardware: this is the figure that says
 * whether a run kept the server fed.
 *
 * The worker that calls a server samples its `GET /slots` once a second and appends `{ t, model, slots, busy }` to
 * `llm/servers/<model>.slots.jsonl` under the maspo home; `slotOccupancy` summarises any time window of those files
 * (`maspo llm slots`, the experiment report). Two workers sampling one server write duplicate seconds; the reader
 * keeps one sample per model and second.
 */
import { appendFile, mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { localLlmPaths } from './paths';

export interface SlotSample {
  /** Epoch milliseconds. */
  t: number;
  model: string;
  slots: number;
  busy: number;
}

/**
 * Polls one server's `GET /slots` every `intervalMs` (first poll at once) and hands each answer to `onSample`, until
 * the returned stop is called; never keeps the process alive. `t` is when the poll was sent. A server that is
 * starting, restarting or gone, or slow to answer, gives no sample: it is not asked twice at once.
 */
export function pollSlots(baseURL: string, intervalMs: number, onSample: (s: Omit<SlotSample, 'model'>) => void | Promise<void>): () => void {
  const url = `${baseURL.replace(/\/v1\/?$/, '')}/slots`;
  let inFlight = false;
  const tick = async () => {
    if (inFlight) return;
    inFlight = true;
    const t = Date.now();
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (!res.ok) return;
      const slots = (await res.json()) as Array<{ is_processing?: boolean }>;
      if (!Array.isArray(slots)) return;
      await onSample({ t, slots: slots.length, busy: slots.filter((s) => s.is_processing === true).length });
    } catch {
      // no answer is no evidence either way; the next tick tries again
    } finally {
      inFlight = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Samples one server's `/slots` every `intervalMs` into its `<model>.slots.jsonl` until stopped. */
export function startSlotSampler(opts: { home: string; model: string; baseURL: string; intervalMs?: number }): () => void {
  const file = path.join(localLlmPaths(opts.home).serversDir, `${opts.model}.slots.jsonl`);
  return pollSlots(opts.baseURL, opts.intervalMs ?? 1000, async (s) => {
    await mkdir(path.dirname(file), { recursive: true });
    await appendFile(file, `${JSON.stringify({ t: s.t, model: opts.model, slots: s.slots, busy: s.busy })}\n`);
  });
}

export interface ModelOccupancy {
  model: string;
  slots: number;
  /** Seconds sampled in the window. */
  seconds: number;
  /** Seconds with at least one slot busy. */
  activeSeconds: number;
  /** Busy slot-seconds ÷ (slots × seconds sampled): how much of the server's capacity the window used. */
  utilization: number;
  /** Share of the active seconds with every slot busy (the server could not have taken more work). */
  allBusyShareOfActive: number;
  /** Mean busy slots while active. */
  meanBusyWhileActive: number;
  /**
   * Wall-clock ÷ (Σ request service time ÷ slots): how far the window was from the floor a server of this many slots
   * allows (1 = every slot busy throughout). A busy slot-second is a second of one request's service time.
   */
  wallOverServiceFloor: number | null;
}

/** Reads every `*.slots.jsonl` under the home's servers directory; malformed lines are skipped. */
export async function readSlotSamples(home: string): Promise<SlotSample[]> {
  const dir = localLlmPaths(home).serversDir;
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.slots.jsonl'));
  } catch {
    return [];
  }
  const samples: SlotSample[] = [];
  for (const name of names) {
    for (const line of (await readFile(path.join(dir, name), 'utf8')).split('\n')) {
      try {
        const s = JSON.parse(line) as SlotSample;
        if (Number.isFinite(s.t) && typeof s.model === 'string' && Number.isInteger(s.slots) && Number.isInteger(s.busy)) samples.push(s);
      } catch {
        // a torn last line from a killed worker
      }
    }
  }
  return samples;
}

/** Occupancy per model over [fromMs, toMs], one sample per model and second. */
export function summariseOccupancy(samples: readonly SlotSample[], fromMs: number, toMs: number): ModelOccupancy[] {
  const perModel = new Map<string, Map<number, SlotSample>>();
  for (const s of samples) {
    if (s.t < fromMs || s.t > toMs) continue;
    const bySecond = perModel.get(s.model) ?? new Map<number, SlotSample>();
    perModel.set(s.model, bySecond);
    const second = Math.floor(s.t / 1000);
    const prev = bySecond.get(second);
    if (!prev || s.busy > prev.busy) bySecond.set(second, s);
  }
  return [...perModel.entries()]
    .map(([model, bySecond]) => {
      const all = [...bySecond.values()];
      const slots = Math.max(...all.map((s) => s.slots));
      const active = all.filter((s) => s.busy > 0);
      const busySum = all.reduce((n, s) => n + s.busy, 0);
      return {
        model,
        slots,
        seconds: all.length,
        activeSeconds: active.length,
        utilization: busySum / (slots * all.length),
        allBusyShareOfActive: active.length ? active.filter((s) => s.busy >= s.slots).length / active.length : 0,
        meanBusyWhileActive: active.length ? busySum / active.length : 0,
        wallOverServiceFloor: busySum > 0 ? (slots * all.length) / busySum : null,
      };
    })
    .sort((a, b) => a.model.localeCompare(b.model));
}

export async function slotOccupancy(home: string, fromMs: number, toMs: number): Promise<ModelOccupancy[]> {
  return summariseOccupancy(await readSlotSamples(home), fromMs, toMs);
}

export function formatOccupancy(rows: readonly ModelOccupancy[]): string {
  if (rows.length === 0) return 'no slot samples in this window (the worker samples a managed llama-server it calls)';
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  return rows
    .map((r) => `${r.model}: ${r.slots} slots · active ${r.activeSeconds} of ${r.seconds} s sampled · utilization ${pct(r.utilization)} · every slot busy ${pct(r.allBusyShareOfActive)} of active time · ${r.meanBusyWhileActive.toFixed(2)} busy on average while active · wall ÷ (service time ÷ slots) ${r.wallOverServiceFloor === null ? '—' : r.wallOverServiceFloor.toFixed(2)}`)
    .join('\n');
}
