/**
 * A local model's speed for `maspo plan`'s wall-clock forecast: this host's own measurement when
 * `bench/local-throughput.ts` has run here (`<home>/llm/throughput/<model>.json`), else the catalogue's figures from
 * the project's reference machine (2 cores). A GGUF file outside the catalogue has no forecast until measured.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ThroughputProfile } from '../../../../core/forecast/throughput';
import { resolveLocalModel } from './catalogue';
import { localLlmPaths } from './paths';
import { serverKey } from './server';

/** One row of bench/local-throughput.ts: `slots` requests at once. */
interface MeasuredRow {
  slots: number;
  aggregateTokPerSec: number;
  promptTokPerSec: number;
}

export function throughputFile(home: string, key: string): string {
  return path.join(localLlmPaths(home).root, 'throughput', `${key}.json`);
}

function measured(file: string): ThroughputProfile | undefined {
  let rows: MeasuredRow[];
  let measuredAt: string | undefined;
  try {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { rows?: MeasuredRow[]; measuredAt?: string };
    rows = (doc.rows ?? []).filter((r) => r.slots > 0 && r.aggregateTokPerSec > 0 && r.promptTokPerSec > 0);
    measuredAt = doc.measuredAt;
  } catch {
    return undefined;
  }
  if (rows.length === 0) return undefined;
  rows.sort((a, b) => a.slots - b.slots);
  return {
    // The single-request prompt rate: concurrent prompts share the same cores, so it is the conservative aggregate.
    promptTokPerSec: rows[0].promptTokPerSec,
    generation: rows.map((r) => [r.slots, r.aggregateTokPerSec] as const),
    source: `measured on this host${measuredAt ? ` ${measuredAt.slice(0, 10)}` : ''} (${file})`,
  };
}

export function localThroughput(model: string, home: string): ThroughputProfile | undefined {
  let ref;
  try {
    ref = resolveLocalModel(model);
  } catch {
    return undefined;
  }
  const own = measured(throughputFile(home, serverKey(ref)));
  if (own) return own;
  if (ref.kind !== 'catalogue') return undefined;
  return { ...ref.model.reference, source: "the catalogue's reference machine (2 cores); measure this host with bench/local-throughput.ts" };
}
