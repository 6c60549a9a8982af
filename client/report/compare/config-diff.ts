/**
 * Where two runs' configurations differ, in the terms that change a search's outcome: seed, data, topology and
 * agents, the three models, every search setting, the budget. Fields both runs share are only counted, so the table
 * stays small. Task queues, heartbeats and run names are left out: they do not change what a run finds. Pure.
 */
import { MODEL_ROLES } from '../../../core/contracts/llm';
import type { ModelSpec } from '../../../core/contracts/llm';
import type { RunRecord } from '../../../core/contracts/run-record';

export interface ConfigRow {
  field: string;
  a: string;
  b: string;
}

export interface ConfigDiff {
  /** Fields whose values differ, in a fixed order (data, models, then settings by name). */
  differ: ConfigRow[];
  /** Fields with the same value in both runs. */
  same: string[];
}

/** A setting as one line: objects (reward weights) as `key value · …`, absent as `—`. */
function show(value: unknown): string {
  if (value === undefined || value === null) return '—';
  if (typeof value === 'object') return Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k} ${show(v)}`).join(' · ');
  return String(value);
}

const model = (m: ModelSpec) => `${m.provider}:${m.model} · temperature ${m.temperature} · max ${m.maxTokens} tokens${m.baseURL ? ` · ${m.baseURL}` : ''}`;

function fields(r: RunRecord): Array<[string, string]> {
  const ctx = r.input.ctx;
  const budget = r.result?.budget ?? r.input.budget;
  const settings = ctx.settings as unknown as Record<string, unknown>;
  return [
    ['seed', String(ctx.seed)],
    ['pool dataset', `${ctx.dataset.name} (${ctx.dataset.kind})`],
    ['held-out dataset', r.input.heldOut ? `${r.input.heldOut.dataset.name}${r.heldOut ? ` (${r.heldOut.optimized.n} items)` : ''}` : 'off'],
    ['topology', `${ctx.mas.topology}: ${ctx.mas.agents.map((a) => a.id).join(', ')}`],
    ...MODEL_ROLES.map((role): [string, string] => [`${role} model`, model(ctx.models[role])]),
    ...Object.keys(settings)
      .sort()
      .map((k): [string, string] => [`optimize.${k}`, show(settings[k])]),
    ['budget', budget ? [budget.usd !== undefined ? `$${budget.usd}` : '', budget.calls !== undefined ? `${budget.calls} paid calls` : ''].filter(Boolean).join(' · ') || 'none' : 'none'],
  ];
}

export function configDifferences(a: RunRecord, b: RunRecord): ConfigDiff {
  const fa = fields(a);
  const fb = new Map(fields(b));
  // Settings only one run knows (a maspo version added one) are compared against `—`.
  const names = [...fa.map(([k]) => k), ...[...fb.keys()].filter((k) => !fa.some(([x]) => x === k))];
  const va = new Map(fa);
  const differ: ConfigRow[] = [];
  const same: string[] = [];
  for (const field of names) {
    const row = { field, a: va.get(field) ?? '—', b: fb.get(field) ?? '—' };
    if (row.a === row.b) same.push(field);
    else differ.push(row);
  }
  return { differ, same };
}
