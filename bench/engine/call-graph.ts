/**
 * The dependency graph of a search's LLM calls, rebuilt from the call log, and its critical path.
 *
 * A call X depends on a call Y when X could not have been sent before Y answered:
 *  1. data, by content: Y's reply text appears verbatim in X's request (hand-offs, traces shown to the optimizer,
 *     outputs shown to the judge). Only Y that ended before X started, in the same unit (below), for the same batch
 *     item when both name one, and whose reply is at least MIN_TEXT characters. A match lying inside a longer
 *     match (e.g. a summary quoted inside the output it summarises) does not count. What a call can quote follows
 *     from its label and the agent graph: an agent call its predecessors' outputs and hand-off summaries; a summary
 *     or judge call the outputs of the agent it is about; an optimizer call those plus its predecessors' (a brief
 *     output, its summary and a reviewer's echo of it can be the same text). When several calls gave the same
 *     text, the producer in X's own workflow wins over one in an ancestor workflow, then the one that ended last;
 *  2. proposals → candidates: the calls of a candidate evaluation (`…/parent-i/cand-c`) depend on every optimizer
 *     call made for that parent in the step (the candidate set is de-duplicated over all of them). The parent is
 *     found by content: the proposal parsed from an optimizer reply (core/search/prompts `parseProposal`) appears in
 *     the candidate's re-run request;
 *  3. units: the search is a sequence of units (`<run>/round-r/<agent>/refresh` and `…/step-s`), each of which
 *     needs the beams, best prompts and buffers left by the one before it, so every call of a unit depends on every
 *     call of the previous unit.
 * The critical path is the longest chain in this graph, in call latencies: a call weighs 1, a response-cache hit 0
 * (it costs no model time). `criticalPathCalls` weighs every call 1.
 *
 * For comparison, the *executed chain* follows what the workflows actually waited for: X after every call of its
 * own workflow or an ancestor workflow that had ended when X was scheduled, plus the unit barrier. With a fixed
 * latency, and scheduling delays well below it, its length is the number of latency periods the run spent in
 * sequence; executed chain / critical path is the serialisation the workflows add over the data dependencies. (On
 * a loaded machine a late-scheduled call also follows calls it did not wait for: an upper bound.)
 */
import { predecessors, type AgentGraph } from '../../core/common/graph';
import type { ModelRole } from '../../core/contracts/llm';
import { parseProposal } from '../../core/search/prompts';
import type { Profile } from '../../core/search/types';
import type { CallRecord } from './records';

/** Shorter replies are not used as evidence of a dependency (they could match by chance). */
export const MIN_TEXT = 8;
/** Literal parts of a candidate prompt shorter than this are not used to trace it to its proposal. */
const MIN_PROMPT_CHUNK = 12;

const UNIT_RE = /^(.+\/round-(\d+)\/([^/]+)\/(?:step-(\d+)|refresh))(?:\/(.+))?$/;
const CAND_RE = /^parent-\d+\/cand-\d+(?:\/|$)/;
const ITEM_RE = /\bitem (\S+)/;
/** The agent a call is about, from its label (workflows/optimize/calls.ts, candidate.ts, step.ts). */
const LABEL_AGENT: Array<[RegExp, PathRole]> = [
  [/ · agent (\S+)$/, 'generation'],
  [/ · summary of (\S+)$/, 'summary'],
  [/^(?:local|lookahead|global|terminal) · (\S+) · /, 'judge'],
  [/^propose (\S+) · /, 'optimizer'],
];
const FROM_PARENT_RE = /\bfrom (\S+) #\d+/;
const PLACEHOLDER_SPLIT = /\{\{\s*[A-Za-z_][A-Za-z0-9_]*\s*\}\}/;

export type PathRole = 'generation' | 'summary' | 'optimizer' | 'judge';

export interface UnitStats {
  key: string;
  kind: 'step' | 'refresh' | 'other';
  round?: number;
  agent?: string;
  step?: number;
  calls: number;
  /** Critical path within the unit, in call latencies. */
  criticalPath: number;
  executedChain: number;
  wallMs: number;
  /** Time between the previous unit's last call ending and this unit's first call starting. */
  gapBeforeMs: number;
}

export interface CallGraphStats {
  calls: number;
  failedAttempts: number;
  byRole: Record<ModelRole, number>;
  summaries: number;
  cached: number;
  tokens: { input: number; output: number };
  /** In call latencies (cache hits weigh 0). */
  criticalPath: number;
  /** Every call weighs 1. */
  criticalPathCalls: number;
  /** The calls on one critical path, by kind (generation = backbone agent call). */
  criticalPathByRole: Record<PathRole, number>;
  /** The calls of one critical path, first to last (workflow id without the run prefix, label, duration). */
  criticalPathTrace: Array<{ wf: string; label: string; cached: boolean; ms: number }>;
  executedChain: number;
  /** Dependency edges found, by rule. */
  edges: { content: number; proposal: number };
  /** Candidate evaluations whose proposal could not be traced by content (then every optimizer call of the step counts). */
  proposalFallbacks: number;
  /** Units whose calls overlap in time with the previous unit's (0 expected: units are sequential). */
  overlappingUnits: number;
  /** Server scheduled → worker started, and worker started → ended, per call (ms, cache hits excluded). */
  scheduleToStartMs: Quantiles;
  durationMs: Quantiles;
  firstStart: number;
  lastEnd: number;
  units: UnitStats[];
}

export interface Quantiles {
  p50: number;
  p95: number;
  max: number;
}

interface Node {
  r: CallRecord;
  item: string | null;
  /** Agent the call runs, summarises, judges or optimises (null: label not understood). */
  agent: string | null;
  kind: PathRole;
  producers: Node[];
  weight: number;
  depth: number;
  depthCalls: number;
  via: Node | null;
  exec: number;
  /** Parsed proposal chunks (optimizer calls), computed on demand. */
  chunks?: string[] | null;
}

interface Unit {
  key: string;
  kind: UnitStats['kind'];
  round?: number;
  agent?: string;
  step?: number;
  nodes: Node[];
  start: number;
  end: number;
}

export interface AnalyseOptions {
  graph: AgentGraph;
  profile: Profile;
  /** False when the log holds no texts (long-reply runs): only counts, tokens and timing are reported. */
  dependencies: boolean;
}

export function analyseCalls(records: readonly CallRecord[], opts: AnalyseOptions): CallGraphStats {
  const ok = records.filter((r) => r.ok);
  if (ok.length === 0) throw new Error('the call log holds no completed LLM call');
  const units = unitsOf(ok);
  const stats = countsOf(records, ok);
  let base = 0;
  let baseCalls = 0;
  let baseExec = 0;
  let last: Node | null = null;
  let prevEnd = -Infinity;
  const edges = { content: 0, proposal: 0 };
  let proposalFallbacks = 0;
  let overlappingUnits = 0;
  const unitStats: UnitStats[] = [];

  for (const unit of units) {
    if (unit.start < prevEnd) overlappingUnits++;
    if (opts.dependencies) {
      const found = linkUnit(unit, opts);
      edges.content += found.content;
      edges.proposal += found.proposal;
      proposalFallbacks += found.fallbacks;
    }
    let unitDepth = base;
    let unitCalls = baseCalls;
    let unitExec = baseExec;
    let deepest: Node | null = null;
    for (const [i, x] of unit.nodes.entries()) {
      let from = base;
      let fromCalls = baseCalls;
      let via: Node | null = last;
      for (const p of x.producers) {
        if (p.depth > from) {
          from = p.depth;
          via = p;
        }
        fromCalls = Math.max(fromCalls, p.depthCalls);
      }
      x.depth = from + x.weight;
      x.depthCalls = fromCalls + 1;
      x.via = via;
      let exec = baseExec;
      for (let j = 0; j < i; j++) {
        const y = unit.nodes[j];
        if (y.r.end <= x.r.scheduled && inLineage(y.r.wf, x.r.wf)) exec = Math.max(exec, y.exec);
      }
      x.exec = exec + x.weight;
      if (!deepest || x.depth > deepest.depth) deepest = x;
      unitDepth = Math.max(unitDepth, x.depth);
      unitCalls = Math.max(unitCalls, x.depthCalls);
      unitExec = Math.max(unitExec, x.exec);
    }
    unitStats.push({
      key: unit.key,
      kind: unit.kind,
      round: unit.round,
      agent: unit.agent,
      step: unit.step,
      calls: unit.nodes.length,
      criticalPath: unitDepth - base,
      executedChain: unitExec - baseExec,
      wallMs: unit.end - unit.start,
      gapBeforeMs: Number.isFinite(prevEnd) ? unit.start - prevEnd : 0,
    });
    base = unitDepth;
    baseCalls = unitCalls;
    baseExec = unitExec;
    last = deepest;
    prevEnd = unit.end;
  }

  const criticalPathByRole: Record<PathRole, number> = { generation: 0, summary: 0, optimizer: 0, judge: 0 };
  const trace: CallGraphStats['criticalPathTrace'] = [];
  for (let n = last; n; n = n.via) {
    if (n.weight > 0) criticalPathByRole[pathRole(n.r)]++;
    trace.push({ wf: n.r.wf.slice(n.r.wf.indexOf('/') + 1), label: n.r.label, cached: n.r.cached, ms: Math.round(n.r.end - n.r.start) });
  }
  trace.reverse();
  return {
    ...stats,
    criticalPath: base,
    criticalPathCalls: baseCalls,
    criticalPathByRole,
    criticalPathTrace: trace,
    executedChain: baseExec,
    edges,
    proposalFallbacks,
    overlappingUnits,
    units: unitStats,
  };
}

function countsOf(all: readonly CallRecord[], ok: readonly CallRecord[]) {
  const byRole: Record<ModelRole, number> = { backbone: 0, optimizer: 0, judge: 0 };
  let cached = 0;
  let summaries = 0;
  const tokens = { input: 0, output: 0 };
  for (const r of ok) {
    byRole[r.role]++;
    if (r.cached) cached++;
    if (pathRole(r) === 'summary') summaries++;
    tokens.input += r.inputTokens;
    tokens.output += r.outputTokens;
  }
  const paid = ok.filter((r) => !r.cached);
  return {
    calls: ok.length,
    failedAttempts: all.length - ok.length,
    scheduleToStartMs: quantiles(paid.map((r) => r.start - r.scheduled)),
    durationMs: quantiles(paid.map((r) => r.end - r.start)),
    byRole,
    summaries,
    cached,
    tokens,
    firstStart: Math.min(...ok.map((r) => r.start)),
    lastEnd: Math.max(...ok.map((r) => r.end)),
  };
}

export function quantiles(values: readonly number[]): Quantiles {
  if (values.length === 0) return { p50: 0, p95: 0, max: 0 };
  const v = [...values].sort((a, b) => a - b);
  const at = (q: number) => v[Math.min(v.length - 1, Math.floor(q * v.length))];
  return { p50: at(0.5), p95: at(0.95), max: v[v.length - 1] };
}

function pathRole(r: CallRecord): PathRole {
  if (r.role === 'backbone') return / · summary of /.test(r.label) ? 'summary' : 'generation';
  return r.role;
}

/** Units in the order they ran; calls of a unit in the order they started. */
function unitsOf(records: readonly CallRecord[]): Unit[] {
  const byKey = new Map<string, Unit>();
  for (const r of records) {
    const m = UNIT_RE.exec(r.wf);
    const key = m ? m[1] : r.wf;
    let u = byKey.get(key);
    if (!u) {
      u = m
        ? { key, kind: m[4] !== undefined ? 'step' : 'refresh', round: Number(m[2]), agent: m[3], step: m[4] !== undefined ? Number(m[4]) : undefined, nodes: [], start: Infinity, end: -Infinity }
        : { key, kind: 'other', nodes: [], start: Infinity, end: -Infinity };
      byKey.set(key, u);
    }
    u.nodes.push({ r, item: ITEM_RE.exec(r.label)?.[1] ?? null, agent: labelAgent(r), kind: pathRole(r), producers: [], weight: r.cached ? 0 : 1, depth: 0, depthCalls: 0, via: null, exec: 0 });
    u.start = Math.min(u.start, r.start);
    u.end = Math.max(u.end, r.end);
  }
  const units = [...byKey.values()].sort((a, b) => a.start - b.start);
  for (const u of units) u.nodes.sort((a, b) => a.r.start - b.r.start);
  return units;
}

function labelAgent(r: CallRecord): string | null {
  for (const [re, kind] of LABEL_AGENT) {
    const m = re.exec(r.label);
    if (m && kind === pathRole(r)) return m[1];
  }
  return null;
}

/**
 * Whose replies a call can quote, by what it is: an agent reads its predecessors' outputs or hand-off summaries; a
 * summary, a judge and the optimizer read the agent's own outputs (the optimizer also its predecessors' as context).
 * Null: anything (label not understood).
 */
function readableBy(x: Node, graph: AgentGraph): ((y: Node) => boolean) | null {
  if (x.agent === null) return null;
  const preds = new Set(predecessors(graph, x.agent));
  const own = (y: Node) => y.kind === 'generation' && y.agent === x.agent;
  const upstream = (y: Node) => (y.kind === 'generation' || y.kind === 'summary') && y.agent !== null && preds.has(y.agent);
  switch (x.kind) {
    case 'generation':
      return upstream;
    case 'summary':
    case 'judge':
      return own;
    case 'optimizer':
      return (y) => own(y) || upstream(y);
  }
}

/** True when `ancestor` is `wf` or one of its ancestors in the hierarchy of workflow ids. */
function inLineage(ancestor: string, wf: string): boolean {
  return wf === ancestor || wf.startsWith(`${ancestor}/`);
}

/** Fills `producers` of every call of the unit (rules 1 and 2). */
function linkUnit(unit: Unit, opts: AnalyseOptions): { content: number; proposal: number; fallbacks: number } {
  let content = 0;
  let proposal = 0;
  const texts = unit.nodes.filter((n) => n.r.role === 'backbone' && (n.r.response ?? '').trim().length >= MIN_TEXT);
  const byItem = new Map<string | null, Node[]>();
  for (const y of texts) {
    const list = byItem.get(y.item);
    if (list) list.push(y);
    else byItem.set(y.item, [y]);
  }
  for (const x of unit.nodes) {
    const pool = x.item === null ? texts : [...(byItem.get(x.item) ?? []), ...(byItem.get(null) ?? [])];
    const found = contentProducers(x, pool, readableBy(x, opts.graph));
    x.producers.push(...found);
    content += found.length;
  }

  if (unit.kind !== 'step') return { content, proposal, fallbacks: 0 };
  const optimizer = unit.nodes.filter((n) => n.r.role === 'optimizer' && n.r.wf === unit.key);
  const needsContext = unit.agent !== undefined && predecessors(opts.graph, unit.agent).length > 0;
  const candidates = new Map<string, Node[]>();
  for (const x of unit.nodes) {
    const rest = x.r.wf.slice(unit.key.length + 1);
    if (x.r.wf.startsWith(`${unit.key}/`) && CAND_RE.test(rest)) {
      const cand = `${unit.key}/${/^parent-\d+\/cand-\d+/.exec(rest)![0]}`;
      const list = candidates.get(cand);
      if (list) list.push(x);
      else candidates.set(cand, [x]);
    }
  }
  let fallbacks = 0;
  for (const calls of candidates.values()) {
    let parent: string | null = null;
    for (const x of calls) {
      if (x.r.role !== 'backbone' || x.r.request === undefined) continue;
      const source = optimizer.find((o) => o.r.end <= x.r.start && proposalIn(o, x.r.request!, opts.profile, needsContext));
      if (source) {
        parent = FROM_PARENT_RE.exec(source.r.label)?.[1] ?? null;
        break;
      }
    }
    const sources = parent ? optimizer.filter((o) => FROM_PARENT_RE.exec(o.r.label)?.[1] === parent) : optimizer;
    if (!parent) fallbacks++;
    for (const x of calls) {
      const before = sources.filter((o) => o.r.end <= x.r.start);
      x.producers.push(...before);
      proposal += before.length;
    }
  }
  return { content, proposal, fallbacks };
}

/** Rule 1: the calls whose reply text X's request quotes. */
function contentProducers(x: Node, texts: readonly Node[], readable: ((y: Node) => boolean) | null): Node[] {
  const request = x.r.request;
  if (request === undefined) return [];
  const byText = new Map<string, Node[]>();
  for (const y of texts) {
    if (y === x || y.r.end > x.r.start) continue;
    if (readable && !readable(y)) continue;
    if (x.item !== null && y.item !== null && x.item !== y.item) continue;
    const t = y.r.response!;
    const list = byText.get(t);
    if (list) list.push(y);
    else byText.set(t, [y]);
  }
  const spans: Array<{ text: string; from: number; to: number }> = [];
  for (const text of byText.keys()) {
    for (let at = request.indexOf(text); at >= 0; at = request.indexOf(text, at + 1)) spans.push({ text, from: at, to: at + text.length });
  }
  const quoted = new Set<string>();
  for (const s of spans) {
    const inside = spans.some((o) => o.text !== s.text && o.text.length > s.text.length && o.from <= s.from && o.to >= s.to);
    if (!inside) quoted.add(s.text);
  }
  return [...quoted].map((text) => pickProducer(x, byText.get(text)!));
}

/** Among calls that gave the same text: X's own workflow first, then the nearest ancestor, then the latest to end. */
function pickProducer(x: Node, ys: readonly Node[]): Node {
  const rank = (y: Node) => (y.r.wf === x.r.wf ? 0 : inLineage(y.r.wf, x.r.wf) ? 1 : 2);
  return ys.reduce((best, y) => {
    const d = rank(y) - rank(best);
    if (d !== 0) return d < 0 ? y : best;
    if (rank(y) === 1 && y.r.wf.length !== best.r.wf.length) return y.r.wf.length > best.r.wf.length ? y : best;
    return y.r.end > best.r.end ? y : best;
  });
}

/** Rule 2: the optimizer call's proposal (its literal parts) is in the request of a candidate re-run. */
function proposalIn(o: Node, request: string, profile: Profile, needsContext: boolean): boolean {
  if (o.chunks === undefined) {
    const p = parseProposal(o.r.response, { parent: '', needsContext, profile });
    const chunks = p.ok ? p.prompt.split(PLACEHOLDER_SPLIT).map((c) => c.trim()).filter((c) => c.length >= MIN_PROMPT_CHUNK) : [];
    o.chunks = chunks.length ? chunks : null;
  }
  return o.chunks !== null && o.chunks.every((c) => request.includes(c));
}
