/**
 * The engine bench's critical-path analysis (bench/engine/call-graph.ts) on hand-made call logs whose dependency
 * structure is known: content edges, proposal → candidate edges, the unit barrier, cache hits, quoted summaries and
 * identical texts from different workflows. Also the linearity check of the growth targets.
 */
import { analyseCalls } from '../bench/engine/call-graph';
import type { CallRecord } from '../bench/engine/records';
import { linearityDeviation } from '../bench/engine/targets';

const graph = { agents: ['p', 'q'], edges: [{ from: 'p', to: 'q' }] };
const RUN = 'bench-t/round-1';

function call(wf: string, role: CallRecord['role'], label: string, start: number, request: string, response: string, cached = false): CallRecord {
  return {
    wf: `${RUN}/${wf}`,
    runId: 'r',
    activityId: String(start),
    attempt: 1,
    role,
    label,
    scheduled: start,
    start,
    end: start + 9,
    ok: true,
    cached,
    inputTokens: 1,
    outputTokens: 1,
    requestDigest: '',
    responseDigest: '',
    request,
    response,
  };
}

const Q = 'Question: Ann has 3 pens and buys 4 more. How many pens?';
const P_OUT = 'Step 1: 3 + 4 = 7. The answer is 7.';
const Q_OUT = 'Checked step 1. <answer>7</answer>';
const PROPOSAL = 'Think step by step and show every intermediate result.\n{{question}}';

/** One step of agent p: baseline p → q, one optimizer call, one candidate (re-run p → q, global judge). */
function stepOfP(opts: { candidateOutput?: string; cachedRerun?: boolean } = {}): CallRecord[] {
  const cOut = opts.candidateOutput ?? 'Step 1: 3 + 4 = 7, so 7 pens.';
  const cand = 'p/step-1/parent-0/cand-0';
  return [
    call('p/step-1', 'backbone', 'item i1 · agent p', 0, `Be concise.\n${Q}`, P_OUT),
    call('p/step-1', 'backbone', 'item i1 · agent q', 10, `Review: ${P_OUT}\n${Q}`, Q_OUT),
    call('p/step-1', 'optimizer', 'propose p · round 1 step 1 · from p#0 #1', 10, `traces: ${Q} output: ${P_OUT}`, `<prompt>${PROPOSAL}</prompt>`),
    call(cand, 'backbone', 'item i1 · agent p', 20, PROPOSAL.replace('{{question}}', Q), cOut),
    call(cand, 'backbone', 'item i1 · agent q', 30, `Review: ${cOut}\n${Q}`, 'Reviewed again. <answer>7</answer> fine', opts.cachedRerun),
    call(cand, 'judge', 'global · q · item i1 · AB', 40, `A: Reviewed again. <answer>7</answer> fine\nB: ${Q_OUT}`, '<choose>A</choose>'),
  ];
}

describe('bench call graph', () => {
  test('chains content, proposal and unit-barrier dependencies into the critical path', () => {
    const log = [...stepOfP(), call('q/step-1', 'backbone', 'item i2 · agent q', 60, 'x', 'an unrelated reply text')];
    const s = analyseCalls(log, { graph, profile: 'fixed', dependencies: true });
    // baseline p (1) → optimizer (2) → re-run p (3) → re-run q (4) → judge (5); then the next unit (6).
    expect(s.units.map((u) => u.criticalPath)).toEqual([5, 1]);
    expect(s.criticalPath).toBe(6);
    expect(s.criticalPathByRole).toEqual({ generation: 4, summary: 0, optimizer: 1, judge: 1 }); // p, p', q' and the next unit's call
    expect(s.proposalFallbacks).toBe(0);
    expect(s.edges.proposal).toBeGreaterThan(0);
    expect(s.overlappingUnits).toBe(0);
    expect(s.byRole).toEqual({ backbone: 5, optimizer: 1, judge: 1 });
  });

  test('a proposal that cannot be traced by content falls back to every optimizer call of the step', () => {
    const log = stepOfP();
    log[2] = { ...log[2], response: '<prompt>An unrelated prompt that nobody ran.\n{{question}}</prompt>' };
    const s = analyseCalls(log, { graph, profile: 'fixed', dependencies: true });
    expect(s.proposalFallbacks).toBe(1); // untraceable: every optimizer call of the step counts instead
    expect(s.criticalPath).toBe(5);
  });

  test('a response-cache hit costs no latency on the path', () => {
    const s = analyseCalls(stepOfP({ cachedRerun: true }), { graph, profile: 'fixed', dependencies: true });
    expect(s.criticalPath).toBe(4);
    expect(s.criticalPathCalls).toBe(5);
    expect(s.cached).toBe(1);
  });

  test('an identical text from the candidate workflow wins over the same text from the baseline', () => {
    // The candidate's p writes exactly what the baseline's p wrote; its q waited for the candidate's p, not the baseline's.
    const s = analyseCalls(stepOfP({ candidateOutput: P_OUT }), { graph, profile: 'fixed', dependencies: true });
    expect(s.criticalPath).toBe(5);
  });

  test('a summary quoted inside the output it summarises is not a dependency', () => {
    const log = [
      call('p/step-1', 'backbone', 'item i1 · agent p', 0, Q, P_OUT),
      call('p/step-1', 'backbone', 'item i1 · summary of p', 10, `Summarise: ${P_OUT}`, 'The answer is 7.'),
      // quotes the full output (which contains the summary's text) once it exists: depends on p only
      call('p/step-1', 'judge', 'local · p · item i1 · AB', 20, `A: ${P_OUT}\nB: ${P_OUT}`, '<choose>A</choose>'),
    ];
    const s = analyseCalls(log, { graph, profile: 'faithful', dependencies: true });
    expect(s.criticalPath).toBe(2);
    expect(s.summaries).toBe(1);
  });

  test('a brief output, its summary and a reviewer echoing it are one text: each reader depends on what it reads', () => {
    const brief = 'Answer: 108 pens';
    const log = [
      call('p/step-1', 'backbone', 'item i1 · agent p', 0, Q, brief),
      call('p/step-1', 'backbone', 'item i1 · summary of p', 10, `Summarise: ${brief}`, brief),
      call('p/step-1', 'backbone', 'item i1 · agent q', 20, `Review: ${brief}\n${Q}`, brief),
      // the optimizer of p reads p's outputs: depth 2, not 4 behind the summary and the reviewer
      call('p/step-1', 'optimizer', 'propose p · round 1 step 1 · from p#seed #1', 30, `trace output: ${brief}`, '<prompt>x</prompt>'),
    ];
    const s = analyseCalls(log, { graph, profile: 'faithful', dependencies: true });
    expect(s.criticalPath).toBe(3);
    expect(s.criticalPathTrace.map((t) => t.label)).toEqual(['item i1 · agent p', 'item i1 · summary of p', 'item i1 · agent q']);
  });

  test('only the same batch item counts, and short replies are no evidence', () => {
    const log = [
      call('p/step-1', 'backbone', 'item i1 · agent p', 0, Q, P_OUT),
      call('p/step-1', 'backbone', 'item i2 · agent q', 10, `Review: ${P_OUT}`, 'another answer here'),
      call('p/step-1', 'backbone', 'item i3 · agent p', 20, Q, '7'),
      call('p/step-1', 'backbone', 'item i3 · agent q', 30, 'Review: 7', 'reviewed text long enough'),
    ];
    expect(analyseCalls(log, { graph, profile: 'fixed', dependencies: true }).criticalPath).toBe(1);
  });

  test('the executed chain counts what the workflows waited for, beyond the data dependencies', () => {
    // Two independent items run one after the other in the same workflow: critical path 1, executed chain 2.
    const log = [call('p/step-1', 'backbone', 'item i1 · agent p', 0, Q, P_OUT), call('p/step-1', 'backbone', 'item i2 · agent p', 10, Q, 'Step 1: 3 + 4 = 7 pens.')];
    const s = analyseCalls(log, { graph, profile: 'fixed', dependencies: true });
    expect([s.criticalPath, s.executedChain]).toEqual([1, 2]);
  });

  test('failed attempts are counted apart; a log without completed calls is an error', () => {
    const failed = { ...stepOfP()[0], ok: false, error: '500' };
    expect(analyseCalls([failed, ...stepOfP()], { graph, profile: 'fixed', dependencies: true }).failedAttempts).toBe(1);
    expect(() => analyseCalls([failed], { graph, profile: 'fixed', dependencies: true })).toThrow(/no completed LLM call/);
  });
});

describe('growth linearity', () => {
  test('distance of interior points from the line through the ends', () => {
    expect(linearityDeviation([[10, 100], [20, 200], [50, 500]])).toBeCloseTo(0);
    expect(linearityDeviation([[10, 100], [20, 260], [50, 500]])).toBeCloseTo(0.3);
    expect(linearityDeviation([[10, 100], [50, 500]])).toBeNull();
  });
});
