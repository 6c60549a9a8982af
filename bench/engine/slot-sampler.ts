/**
 * Slot occupancy of the real-model scenario's llama-server, sampled by the harness itself (twice a second, `GET
 * /slots`, with the poller the worker samples with once a second: activities/llm/providers/local/occupancy.ts) over
 * exactly the search's wall-clock, and set against the service time the call log holds.
 *
 * With S slots the floor on wall-clock is the total service time ÷ S, reached only while every slot is busy; so the
 * two figures of issue 14 are the share of the wall-clock with all S slots busy, and wall ÷ (Σ service ÷ S).
 */
import { pollSlots, type SlotSample as ServerSlotSample } from '../../activities/llm/providers/local/occupancy';
import type { CallRecord } from './records';

/** One answer of `/slots` (the worker's sample without the model name: the scenario has one server). */
export type SlotSample = Omit<ServerSlotSample, 'model'>;

export interface SlotSampler {
  /** Stops sampling; returns every sample taken. */
  stop(): SlotSample[];
}

export const SLOT_SAMPLE_INTERVAL_MS = 500;

/** Samples the server's `/slots` (the worker's own poller: occupancy.ts `pollSlots`) into memory until stopped. */
export function sampleSlots(baseURL: string, intervalMs = SLOT_SAMPLE_INTERVAL_MS): SlotSampler {
  const samples: SlotSample[] = [];
  const stop = pollSlots(baseURL, intervalMs, (s) => void samples.push(s));
  return {
    stop() {
      stop();
      return samples;
    },
  };
}

export interface Occupancy {
  /** S: the server's slots. */
  slots: number;
  samples: number;
  /** Milliseconds of the window the samples cover. */
  sampledMs: number;
  /** Share of the sampled window with every slot busy. */
  allBusyShare: number;
  /** Mean busy slots over the sampled window. */
  meanBusy: number;
  /** Share of the sampled window with no slot busy. */
  idleShare: number;
  /** Share of the sampled window with k slots busy, k = 0…S. */
  byBusy: number[];
}

/**
 * Occupancy over [fromMs, toMs]: each sample holds until the next one (the last until `toMs`), for at most three
 * intervals: the rest of a longer gap (the server did not answer) is left out rather than guessed.
 */
export function occupancyOver(all: readonly SlotSample[], fromMs: number, toMs: number, intervalMs = SLOT_SAMPLE_INTERVAL_MS): Occupancy | undefined {
  const samples = all.filter((s) => s.t >= fromMs && s.t <= toMs).sort((a, b) => a.t - b.t);
  if (samples.length === 0) return undefined;
  const slots = Math.max(...samples.map((s) => s.slots));
  const msByBusy = new Array<number>(slots + 1).fill(0);
  let covered = 0;
  let allBusy = 0;
  let busyMs = 0;
  for (const [i, s] of samples.entries()) {
    const until = i + 1 < samples.length ? samples[i + 1].t : toMs;
    const ms = Math.min(until - s.t, 3 * intervalMs);
    covered += ms;
    busyMs += s.busy * ms;
    msByBusy[Math.min(s.busy, slots)] += ms;
    if (s.busy >= s.slots) allBusy += ms;
  }
  const share = (ms: number) => (covered > 0 ? ms / covered : 0);
  return {
    slots,
    samples: samples.length,
    sampledMs: covered,
    allBusyShare: share(allBusy),
    meanBusy: share(busyMs),
    idleShare: share(msByBusy[0]),
    byBusy: msByBusy.map(share),
  };
}

/**
 * Σ service time of the calls the model actually answered (cache hits cost it nothing): the provider call's own
 * duration (`latencyMs`, which excludes any wait for the role's turn inside the worker), else the activity's.
 */
export function serviceMsOf(records: readonly CallRecord[]): number {
  return records.filter((r) => r.ok && !r.cached).reduce((sum, r) => sum + (r.latencyMs ?? r.end - r.start), 0);
}

/** The real-model scenario's server and how busy the search kept it. */
export interface RealModelStats {
  model: string;
  /** S: the server's slots (the roles' concurrency summed). */
  slots: number;
  /** Sampled over the workflow's wall-clock; absent when no sample was answered. */
  occupancy?: Occupancy;
  /** Σ service time of the calls the model answered (cache hits excluded), ms. */
  serviceMs: number;
  answeredCalls: number;
  /** wall ÷ (Σ service ÷ S): 1 = every slot busy for the whole run. */
  wallOverFloor: number | null;
  server: { cpuMs?: number; peakRssMb?: number };
}

/** The figures of a real-model run whose workflow ran over [fromMs, toMs]. */
export function realModelStats(opts: { model: string; slots: number; samples: readonly SlotSample[]; records: readonly CallRecord[]; fromMs: number; toMs: number; server: RealModelStats['server'] }): RealModelStats {
  const serviceMs = serviceMsOf(opts.records);
  return {
    model: opts.model,
    slots: opts.slots,
    occupancy: occupancyOver(opts.samples, opts.fromMs, opts.toMs),
    serviceMs,
    answeredCalls: opts.records.filter((r) => r.ok && !r.cached).length,
    wallOverFloor: serviceMs > 0 ? (opts.toMs - opts.fromMs) / (serviceMs / opts.slots) : null,
    server: opts.server,
  };
}
