/**
 * The plain-text summary `maspo report --compare` prints: both runs' held-out accuracies, the paired difference of
 * their optimized prompts on shared items (or why there is none), calls and spend, and which configuration fields
 * and final prompts differ. Same figures as the HTML page (./render.ts), from the same comparison. Pure.
 */
import { MODEL_ROLES } from '../../../core/contracts/llm';
import { pts, pval } from '../../compare';
import { fmt } from '../html';
import { totalCalls, totalUsd } from '../spend';
import type { RunComparison, RunSide } from './model';

/** Differing configuration fields named on the summary line; the page lists them all. */
const MAX_FIELDS = 6;

export function formatRunComparison(c: RunComparison): string {
  const run = (s: RunSide) => {
    const r = s.record;
    const h = r.heldOut;
    const acc = (x: NonNullable<typeof h>['seed']) => `${fmt.pct(x.accuracy)} (95% CI ${fmt.pct(x.ci.low)}–${fmt.pct(x.ci.high)})`;
    const held = h ? `held-out ${h.dataset} (n=${h.optimized.n}): seed ${acc(h.seed)} → optimized ${acc(h.optimized)}` : 'no held-out result';
    return `${s.name} ${r.workflowId} · ${r.input.ctx.runName} (${r.status}): ${held}`;
  };
  const p = c.optimized;
  const paired =
    p.kind === 'paired'
      ? `optimized B − A on ${p.shared} shared held-out item(s)${p.onlyA + p.onlyB ? ` (${p.onlyA} only in A, ${p.onlyB} only in B left out)` : ''}: ${pts(p.comparison.difference)}, paired 95% CI [${pts(p.comparison.ci.low)}, ${pts(p.comparison.ci.high)}]; McNemar exact p = ${pval(p.comparison.mcnemar.pValue)} (B only ${p.comparison.mcnemar.bOnly}, A only ${p.comparison.mcnemar.aOnly})`
      : `no paired difference: ${p.reason}`;
  const spend = (s: RunSide) => {
    const t = s.spend.total.ledger;
    const cached = MODEL_ROLES.reduce((n, r) => n + t[r].cachedCalls, 0);
    return `${s.name} ${fmt.num(totalCalls(t))} (${fmt.num(cached)} cached) ${fmt.usd(totalUsd(t))}${s.spend.unpriced.length ? '+' : ''}`;
  };
  const d = c.config.differ;
  const config = d.length ? `config differs in ${d.length} field(s): ${d.slice(0, MAX_FIELDS).map((r) => `${r.field} ${r.a} vs ${r.b}`).join('; ')}${d.length > MAX_FIELDS ? '; …' : ''}` : 'config: the same in both runs';
  const prompts = `final prompts: ${c.agents.map((x) => `${x.agentId} ${x.a === x.b ? 'same' : x.a === undefined || x.b === undefined ? 'in one run only' : 'differ'}`).join(', ')}`;
  return [run(c.a), run(c.b), paired, `LLM calls: ${spend(c.a)} · ${spend(c.b)}`, config, prompts].join('\n');
}
