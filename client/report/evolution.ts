/**
 * Per agent: how its prompt evolved from the seed to the winner (one word-level diff per accepted change along
 * the winning lineage), why each change was accepted (R against its parent, the win rates behind it), the
 * misalignment cases that drove it (injected into the step that produced it, and mined from the winning
 * candidate's own evaluation), and the beam lineage tree.
 */
import { diffWordsWithSpace } from 'diff';
import type { Rate } from '../../core/search/reward';
import type { MisalignmentCase } from '../../core/search/types';
import type { RunRecord } from '../../core/contracts/run-record';
import { fmt, html, join, slug, type Safe } from './html';
import type { AgentLineage, EvolutionStep } from './lineage';
import { lineageTree } from './tree';

/**
 * Word-level diff of two prompts: removed words in <del>, added words in <ins>, all text escaped. Changes separated
 * only by whitespace are shown as one removal and one addition, which reads better than alternating words.
 */
export function wordDiff(before: string, after: string): Safe {
  const out: Safe[] = [];
  let del = '';
  let ins = '';
  const flush = () => {
    if (del) out.push(html`<del>${del}</del>`);
    if (ins) out.push(html`<ins>${ins}</ins>`);
    del = ins = '';
  };
  const parts = diffWordsWithSpace(before, after);
  parts.forEach((c, i) => {
    if (c.added) ins += c.value;
    else if (c.removed) del += c.value;
    else if ((del || ins) && /^\s+$/.test(c.value) && (parts[i + 1]?.added || parts[i + 1]?.removed)) {
      del += c.value;
      ins += c.value;
    } else {
      flush();
      out.push(html`${c.value}`);
    }
  });
  flush();
  return join(out);
}

const rate = (name: string, r: Rate) => (r.n === 0 ? '' : html`<span class="pill ${r.rate !== null && r.rate > 0.5 ? 'win' : r.rate !== null && r.rate < 0.5 ? 'loss' : ''}">${name} ${fmt.pct(r.rate ?? 0.5, 0)} <small>(${r.wins}W ${r.ties}T ${r.losses}L)</small></span>`);

function caseCard(c: MisalignmentCase, agentOf: string): Safe {
  const lost = c.kind === 'misalignment' ? [c.lost.lookahead ? 'lookahead' : '', c.lost.global ? 'global' : ''].filter(Boolean).join(' + ') : '';
  return html`<div class="case"><div class="case-head">${c.kind === 'misalignment' ? `misalignment: won locally, lost ${lost || '—'}` : `${c.kind} case`} <small>· item ${c.index} · mined round ${c.round} step ${c.step}${c.agentId !== agentOf ? ` · from ${c.agentId}` : ''}</small></div><dl><dt>Question</dt><dd><pre>${c.question}</pre></dd>${c.context ? html`<dt>Context the agent read</dt><dd><pre>${c.context}</pre></dd>` : ''}<dt>Output of ${c.agentId} (candidate prompt)</dt><dd><pre>${c.output}</pre></dd>${c.downstream ? html`<dt>What ${c.downstream.agentId} then wrote</dt><dd><pre>${c.downstream.output}</pre></dd>` : ''}</dl></div>`;
}

function casesBlock(title: string, cases: readonly MisalignmentCase[], agentId: string, open: boolean): Safe {
  if (cases.length === 0) return html`<div class="muted" style="font-size:12.5px">${title}: none</div>`;
  return html`<details${open ? html` open` : ''}><summary>${title}: ${cases.length}</summary><div class="cases">${cases.map((c) => caseCard(c, agentId))}</div></details>`;
}

function change(step: EvolutionStep, agentId: string, last: boolean, index: number): Safe {
  const n = step.node;
  const b = n.scored?.breakdown;
  const mis = n.scored?.misalignmentRate;
  return html`<div class="evo${last ? ' best' : ''}"><div class="evo-head">change ${index} · <b>${n.id}</b> from <b>${n.parentId ?? ''}</b> · round ${n.round} step ${n.step} · R ${fmt.r(n.R)} · J ${fmt.j(n.J)}${last ? ' · winner' : ''}${
    mis !== undefined && mis !== null ? ` · misalignment rate ${fmt.pct(mis, 0)}` : ''
  }<br>${b ? html`${rate('local', b.local)}${rate('lookahead', b.lookahead)}${rate('global', b.global)}${rate('terminal', b.terminal)}<small>${b.formula} reward, weights ${b.weights.local}/${b.weights.lookahead}/${b.weights.global}</small>` : ''}</div><pre class="prompt diff">${wordDiff(step.previous.prompt, n.prompt)}</pre>${casesBlock('Cases injected into the proposals of this step', step.injected, agentId, false)}${casesBlock('Cases mined from this candidate', step.mined, agentId, false)}</div>`;
}

export function agentSection(lineage: AgentLineage, record: RunRecord): Safe {
  const spec = record.input.ctx.mas.agents.find((a) => a.id === lineage.agentId);
  const seed = lineage.path[0];
  const final = record.prompts[lineage.agentId];
  const changed = final !== undefined && final !== record.seedPrompts[lineage.agentId];
  const endsAtFinal = lineage.path.at(-1)?.prompt === final;
  const accepted = lineage.nodes.filter((n) => n.parentId !== null && n.inBeam).length;
  const rejected = lineage.rejected.length;
  return html`<section class="agent" id="agent-${slug(lineage.agentId)}"><h2>Agent <span class="mono">${lineage.agentId}</span> <small>${spec?.role ?? ''}${spec?.description ? ` · ${spec.description}` : ''}</small></h2><p>${
    changed
      ? `Improved: ${lineage.evolution.length} accepted change(s) along the winning lineage, from the seed to ${lineage.best?.id ?? 'the best prompt'} (J ${lineage.best ? fmt.j(lineage.best.J) : '—'}).`
      : 'Kept its seed prompt: no candidate beat it by enough.'
  } Over the run, ${accepted} candidate(s) entered the beam and ${rejected} were rejected (R ≤ 0 or identical to their parent).</p><h3>Prompt evolution</h3><div class="evo"><div class="evo-head">seed prompt <b>${seed?.id ?? `${lineage.agentId}#seed`}</b></div><pre class="prompt">${record.seedPrompts[lineage.agentId] ?? ''}</pre></div>${lineage.evolution.map((s, i) => change(s, lineage.agentId, i === lineage.evolution.length - 1, i + 1))}${
    !endsAtFinal && final !== undefined ? html`<div class="problem">The current prompt of this agent is not on the rebuilt lineage; it is shown here as recorded.</div><pre class="prompt">${final}</pre>` : ''
  }<h3>Beam lineage</h3><div class="legend-inline"><span><i style="background:#c2410c"></i>winning lineage</span><span><i style="background:#1c64d4"></i>entered the beam</span><span><i style="border:2px solid #1c64d4;background:#fff"></i>cut at once</span><span>✕ rejected candidate (R ≤ 0)</span><span class="muted">hover a node for its prompt, R and J</span></div><figure>${lineageTree(lineage, record)}</figure></section>`;
}
