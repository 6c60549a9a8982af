/** Human-readable renderings of results for the terminal. */
import type { EvaluateResult } from '../core/contracts/evaluate';
import type { ComparisonCounts, OptimizeResult } from '../core/contracts/optimize';
import { spendOf } from '../core/contracts/ledger';
import { formatSpend } from './optimize';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const int = (x: number) => x.toLocaleString('en-US');
const indent = (s: string) => s.split('\n').map((l) => `    ${l}`).join('\n');

export function formatEvaluation(r: EvaluateResult, workflowId: string, uiUrl?: string): string {
  const s = r.summary;
  const lines = [
    `evaluation ${r.runName} · dataset ${r.dataset} (${s.n} items) · topology ${r.topology} · backbone ${r.model}`,
    `accuracy ${pct(s.accuracy)} (${s.correct}/${s.n}), 95% CI [${pct(s.ci.low)}, ${pct(s.ci.high)}] (percentile bootstrap, ${int(s.resamples)} resamples)`,
    `LLM calls ${int(r.calls)} (${int(r.cachedCalls)} from cache), tokens in ${int(r.usage.inputTokens)} / out ${int(r.usage.outputTokens)}, item errors ${r.errors}`,
    `workflow ${workflowId}${uiUrl ? ` · ${uiUrl}` : ''}`,
  ];
  if (r.model.startsWith('sim:')) lines.push('note: backbone is the built-in simulated LLM world (a simulator, not a model); its accuracy says nothing about real LLMs.');
  return lines.join('\n');
}

/** `local 40 · lookahead 24 (+16 copied from global) · global 40 · terminal 40`: what the reward was made of. */
export function formatComparisons(c: ComparisonCounts): string {
  const j = c.judged;
  return `local ${j.local} · lookahead ${j.lookahead}${c.copiedLookahead ? ` (+${c.copiedLookahead} copied from global)` : ''} · global ${j.global} · terminal ${j.terminal}`;
}

export function formatOptimization(r: OptimizeResult, workflowId: string): string {
  const t = r.totals;
  const lines = [
    `optimization ${r.runName} · ${r.strategy} (${r.profile} profile) · ${r.rounds.length} round(s)${r.stopped ? ` · STOPPED early (${r.stopReason ?? 'stopped'}): best prompts so far` : ''} · workflow ${workflowId}`,
    `LLM calls: backbone ${t.calls.backbone}, optimizer ${t.calls.optimizer}, judge ${t.calls.judge} (${t.cached} from cache); tokens in ${t.usage.inputTokens} / out ${t.usage.outputTokens}; unparseable verdicts ${t.unparseableVerdicts}, order disagreements ${t.orderDisagreements}, rejected proposals ${t.rejectedProposals}`,
  ];
  if (t.comparisons) lines.push(`comparisons judged: ${formatComparisons(t.comparisons)}`);
  if (t.ledger) {
    const l = t.ledger;
    const held = r.heldOut?.totals?.ledger;
    lines.push(
      `${formatSpend(spendOf(l).usd, r.budget)} for the search: backbone $${l.backbone.costUsd.toFixed(4)}, optimizer $${l.optimizer.costUsd.toFixed(4)}, judge $${l.judge.costUsd.toFixed(4)}${held ? `; held-out evaluation $${spendOf(held).usd.toFixed(4)}` : ''} (list prices; cache hits free)`,
    );
  }
  if (r.stopReason === 'budget_exhausted') lines.push('stopped: BUDGET EXHAUSTED (the next unit could have passed the cap); the prompts are the best so far');
  for (const s of r.rounds) lines.push(`round ${s.round}: ${s.improvements} improvement(s), ${s.anchorShifts} anchor shift(s), best J ${Object.entries(s.bestJ).map(([a, j]) => `${a}=${j.toFixed(3)}`).join(' ')}`);
  if (r.heldOut) {
    const h = r.heldOut;
    const acc = (x: typeof h.seed) => `${(100 * x.accuracy).toFixed(1)}% (95% CI ${(100 * x.ci.low).toFixed(1)}–${(100 * x.ci.high).toFixed(1)}, n=${x.n})`;
    lines.push(`held-out ${h.dataset}: seed prompts ${acc(h.seed)} → optimized ${acc(h.optimized)}${h.optimized.ci.low > h.seed.ci.high ? ' · intervals do not overlap' : ''}`);
    if (h.paired) {
      const p = h.paired;
      const pts = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}`;
      lines.push(`  paired (same ${p.n} items): optimized − seed ${pts(p.difference)} points (95% CI ${pts(p.ci.low)} to ${pts(p.ci.high)}); McNemar exact p = ${p.mcnemar.pValue.toPrecision(3)} (${p.mcnemar.bOnly} items only optimized got right, ${p.mcnemar.aOnly} only seed)`);
    }
  }
  for (const [id, a] of Object.entries(r.agents)) {
    const changed = r.prompts[id] !== r.seedPrompts[id];
    lines.push('', `agent ${id}: ${changed ? `improved (node ${a.best.id}, J ${a.best.J.toFixed(3)})` : 'kept its seed prompt'}`, indent(r.prompts[id]));
  }
  return lines.join('\n');
}
