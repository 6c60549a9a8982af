/** The simulated optimizer (and hand-off summariser): valid, deterministic proposals that respond to visible evidence. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultSimWorld, type SimWorldInput } from '../core/schema/sim-config';
import { buildHandoffSummaryPrompt, buildOptimizerPrompt, parseProposal, type OptimizerPromptInput } from '../core/search/prompts';
import type { MisalignmentCase, Trace } from '../core/search/types';
import { renderTemplate } from '../core/common/template';
import { readDirectives } from '../sim/lexicon';
import { addDirective, removeDirective } from '../sim/optimizer';
import { generateTasks } from '../sim/tasks';
import { readPrompt, respond, roleOf } from '../sim/world';

const world = defaultSimWorld({ seed: 3 });
const tasks = generateTasks({ seed: 3, split: 'train', size: 12, world });
const BRIEF_PARENT = 'You are a math solver. Be concise. Put the final answer inside <answer></answer>.\n\nQuestion: {{question}}';
const REVIEWER = 'You are a reviewer. Previous solution:\n{{context}}\n\nGive the corrected answer.\n\nQuestion: {{question}}';

const run = (template: string, question: string) =>
  respond(world, { model: 'sim-agent', messages: [{ role: 'user', content: renderTemplate(template, { question, context: '' }) }], temperature: 0, maxTokens: 100_000 }).text;
const traces: Trace[] = tasks.slice(0, 5).map((t) => ({ question: t.question, context: '', output: run(BRIEF_PARENT, t.question) }));
const briefCases: MisalignmentCase[] = tasks.slice(5, 8).map((t) => ({
  kind: 'misalignment',
  agentId: 'solver',
  index: 0,
  question: t.question,
  context: '',
  output: run(BRIEF_PARENT, t.question),
  downstream: { agentId: 'reviewer', output: '<answer>1</answer>' },
  lost: { lookahead: true, global: true },
  priority: 0,
  round: 1,
  step: 1,
}));

function metaPrompt(over: Partial<OptimizerPromptInput> = {}): string {
  return buildOptimizerPrompt({ profile: 'fixed', agent: { id: 'solver', role: 'predictor' }, taskType: 'math', parentPrompt: BRIEF_PARENT, traces, predecessors: [], successors: ['reviewer'], ...over });
}

function propose(prompt: string, sample: number, temperature = 0.7, w = world) {
  return respond(w, { model: 'sim-optimizer', messages: [{ role: 'user', content: prompt }], temperature, maxTokens: 100_000, seed: sample }).text;
}

/** Share of `n` proposals (sample indices 0..n−1) whose directives satisfy `f`. */
function share(prompt: string, parent: string, f: (d: ReturnType<typeof readDirectives>['set']) => boolean, n = 200, w = world): number {
  let hits = 0;
  for (let k = 0; k < n; k++) {
    const p = parseProposal(propose(prompt, k, 0.7, w), { parent, needsContext: parent.includes('{{context}}') });
    if (p.ok && f(readDirectives(p.prompt).set)) hits++;
  }
  return hits / n;
}

describe('simulated optimizer', () => {
  test('is recognised from its title line and reads nothing but the meta-prompt', () => {
    expect(roleOf(metaPrompt())).toBe('optimizer');
    const source = readFileSync(path.join(__dirname, '../sim/optimizer.ts'), 'utf8');
    expect(source).not.toMatch(/world\.(effects|agent|misalignment|judge)|behaviourOf|tasks'|SimTask/);
  });

  test('proposals keep the placeholders and parse; deterministic; temperature > 0 varies with the sample index', () => {
    for (const [parent, prompt] of [
      [BRIEF_PARENT, metaPrompt()],
      [REVIEWER, metaPrompt({ parentPrompt: REVIEWER, predecessors: ['solver'], successors: [] })],
    ]) {
      const proposals = Array.from({ length: 40 }, (_, k) => propose(prompt, k));
      for (const reply of proposals) expect(parseProposal(reply, { parent, needsContext: parent.includes('{{context}}') })).toMatchObject({ ok: true });
      expect(Array.from({ length: 40 }, (_, k) => propose(prompt, k))).toEqual(proposals);
      expect(new Set(proposals).size).toBeGreaterThan(5);
    }
    expect(propose(metaPrompt(), 1, 0)).toBe(propose(metaPrompt(), 2, 0));
  });

  test('responds to MARKED misalignment cases: brief outputs that misled → remove brevity / show intermediate results', () => {
    const remedy = (d: ReturnType<typeof readDirectives>['set']) => !d.brevity || d.showIntermediates;
    const none = share(metaPrompt(), BRIEF_PARENT, remedy);
    const marked = share(metaPrompt({ cases: briefCases }), BRIEF_PARENT, remedy);
    const unmarked = share(metaPrompt({ cases: briefCases.map((c) => ({ ...c, kind: 'random' as const })) }), BRIEF_PARENT, remedy);
    expect(marked).toBeGreaterThan(0.7); // measured ≈ 0.85
    expect(none).toBeLessThan(0.55); // ≈ 0.42: exploration only
    expect(marked - none).toBeGreaterThan(0.25);
    expect(Math.abs(unmarked - none)).toBeLessThan(0.12); // the same outputs without the mark carry no signal
    // with evidence switched off, the mark makes no difference
    const blind = defaultSimWorld({ seed: 3, optimizer: { evidenceWeight: 0 } });
    expect(Math.abs(share(metaPrompt({ cases: briefCases }), BRIEF_PARENT, remedy, 200, blind) - share(metaPrompt(), BRIEF_PARENT, remedy, 200, blind))).toBeLessThan(0.12);
  });

  test('caseReaction local: a case changes a proposal only where its evidence tilts the edit; reroll re-draws everything', () => {
    const local = defaultSimWorld({ seed: 3, optimizer: { caseReaction: 'local' } });
    const unmarked = briefCases.map((c) => ({ ...c, kind: 'random' as const })); // shown, but no evidence (not marked)
    const same = (w: typeof world, cases: MisalignmentCase[]) => Array.from({ length: 100 }, (_, k) => propose(metaPrompt({ cases }), k, 0.7, w) === propose(metaPrompt(), k, 0.7, w)).filter(Boolean).length;
    const prompts = (w: typeof world, cases?: MisalignmentCase[]) => Array.from({ length: 100 }, (_, k) => parseProposal(propose(metaPrompt({ cases }), k, 0.7, w), { parent: BRIEF_PARENT, needsContext: false }));
    // Unmarked cases carry no evidence: with local draws every proposal's edits are the ones it makes without them.
    const edits = (w: typeof world, cases?: MisalignmentCase[]) => prompts(w, cases).map((p) => (p.ok ? p.prompt : p.reason));
    expect(edits(local, unmarked)).toEqual(edits(local));
    expect(same(local, unmarked)).toBe(100); // the whole reply, analysis included
    // Under reroll the same cases re-draw most proposals.
    const rerolled = edits(world, unmarked).filter((p, k) => p !== edits(world)[k]).length;
    expect(rerolled).toBeGreaterThan(40);
    // Marked cases still move the choice towards the remedy, and only some proposals change.
    const remedy = (d: ReturnType<typeof readDirectives>['set']) => !d.brevity || d.showIntermediates;
    expect(share(metaPrompt({ cases: briefCases }), BRIEF_PARENT, remedy, 200, local) - share(metaPrompt(), BRIEF_PARENT, remedy, 200, local)).toBeGreaterThan(0.25);
    const changed = edits(local, briefCases).filter((p, k) => p !== edits(local)[k]).length;
    expect(changed).toBeGreaterThan(10);
    expect(changed).toBeLessThan(rerolled);
  });

  test('traces without answer tags make the tag directive likelier', () => {
    const untaggedParent = 'You are a math solver.\n\nQuestion: {{question}}';
    const untagged = tasks.slice(0, 5).map((t) => ({ question: t.question, context: '', output: run(untaggedParent, t.question) }));
    const tagged = traces;
    const addsTag = (ts: Trace[]) => share(metaPrompt({ parentPrompt: untaggedParent, traces: ts }), untaggedParent, (d) => d.answerTag);
    expect(addsTag(untagged)).toBeGreaterThan(addsTag(tagged) + 0.2);
  });

  test('successor-only directives are proposed only for agents with {{context}}', () => {
    const successorOnly = (d: ReturnType<typeof readDirectives>['set']) => d.verifyUpstream || d.trustUpstream || d.solveIndependently;
    expect(share(metaPrompt(), BRIEF_PARENT, successorOnly, 100)).toBe(0);
    expect(share(metaPrompt({ parentPrompt: REVIEWER, predecessors: ['solver'], successors: [] }), REVIEWER, successorOnly, 100)).toBeGreaterThan(0.2);
  });

  test('the malformed knob produces unusable replies', () => {
    const sloppy = defaultSimWorld({ seed: 3, optimizer: { malformed: 1 } } as SimWorldInput);
    expect(parseProposal(propose(metaPrompt(), 0, 0.7, sloppy), { parent: BRIEF_PARENT, needsContext: false })).toMatchObject({ ok: false, reason: 'missing-tags' });
  });

  test('directive edits', () => {
    const seed = 'Review the solution above. Give the final answer between <answer> and </answer>.\n\nSolution: {{context}}\nQuestion: {{question}}';
    const noTag = removeDirective(seed, 'answerTag');
    expect(noTag).toBe('Review the solution above.\n\nSolution: {{context}}\nQuestion: {{question}}');
    expect(readDirectives(addDirective(noTag, 'verifyUpstream')).set.verifyUpstream).toBe(true);
    expect(addDirective(noTag, 'verifyUpstream')).toBe('Review the solution above.\n\nVerify each step of the previous solution.\nSolution: {{context}}\nQuestion: {{question}}');
    const trusting = addDirective('Solve it independently.\n{{context}} {{question}}', 'trustUpstream');
    expect(readDirectives(trusting).set).toMatchObject({ trustUpstream: true, solveIndependently: false });
    expect(removeDirective('Be concise: answer only. {{question}}', 'brevity')).toBe('{{question}}');
    expect(removeDirective('Question: {{question}} concisely', 'brevity')).toBe('Question: {{question}}');
  });
});

describe('simulated hand-off summariser', () => {
  test('keeps equations within the word budget and the final answer', () => {
    const full = run('Think step by step. Show each intermediate result. Put the final answer inside <answer></answer>.\nQuestion: {{question}}', tasks[0].question);
    const prompt = buildHandoffSummaryPrompt(full, 15, 'math');
    expect(roleOf(prompt)).toBe('summary');
    const summary = respond(world, { model: 'sim-agent', messages: [{ role: 'user', content: prompt }], temperature: 0, maxTokens: 1000 }).text;
    expect(summary.split(/\s+/).length).toBeLessThanOrEqual(15);
    expect(summary).toMatch(/^Step 1: .* = -?\d+\n/);
    expect(summary).toMatch(/<answer>-?\d+<\/answer>$/);
    // a successor reads it like any upstream solution
    expect(readPrompt(`Check:\n${summary}\nQuestion: ${tasks[0].question}`).upstream[0].final).toBe(Number(/<answer>(-?\d+)/.exec(full)![1]));
  });
});
