/** Human-readable renderings of results for the terminal. */
import type { EvaluateResult } from '../core/contracts/evaluate';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const int = (x: number) => x.toLocaleString('en-US');

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
