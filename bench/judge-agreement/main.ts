/**
 * Can this judge drive a search? Its agreement with the labels on the items where exactly one of two prompt sets
 * is right. A diagnostic, not part of any run: MASPO's judge never sees labels; here the labels grade the judge.
 *
 * For every held-out item of the config, both prompt sets' MAS runs are rebuilt through the workers' `llmCall`
 * activity from their response cache (a miss is a real call, and is stored), both final outputs graded, and every discordant pair (one right, one wrong) shown to
 * the config's judge with the search's own judge prompt (`--kind`, default `global`), in both orders. Besides the
 * verdict the judge wrote, the probability it gave each letter at the verdict position is read from the server's
 * token log-probabilities (OpenAI `logprobs`/`top_logprobs`, served by llama-server), so a judge that leans the
 * right way without committing to it shows as such.
 *
 *   node --import tsx bench/judge-agreement/main.ts examples/local-mbpp-chain.yaml --a seed \
 *     --b bench/results/real/mbpp-headroom/hand-written-prompts.json -o bench/results/real/judge-agreement-mbpp
 *
 * Needs a local (llama-server) judge for the probabilities. Writes `<out>/pairs.jsonl` as each pair is judged (a
 * rerun skips pairs already there) and `<out>/summary.json`. Run it on an otherwise idle machine.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildEvaluateInput, loadConfig, modelSpec } from '../../client/config';
import { resolvePromptSet } from '../../client/compare';
import { heldOutDataset, buildOptimizeInput } from '../../client/optimize';
import { loadDatasetItems, type LoadedItem } from '../../activities/dataset-items';
import { gradeOutput } from '../../activities/graders/grade';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createLlmActivities } from '../../activities/llm/activity';
import { responseCacheFor } from '../../activities/llm/cache-store';
import { createProviders } from '../../activities/llm/providers/registry';
import { chatCompletionParams } from '../../activities/llm/providers/openai/provider';
import { ensureServer, sizeServer } from '../../activities/llm/providers/local/server';
import type { LlmRequest, LlmResult, ModelSpec } from '../../core/contracts/llm';
import { datasetGrader } from '../../core/contracts/dataset';
import type { MasSpec } from '../../core/contracts/mas';
import { graphOf, terminalAgent } from '../../core/common/graph';
import { mcnemarExact } from '../../core/common/paired-stats';
import { judgePrompts, parseVerdict } from '../../core/search/prompts-judge';
import type { ComparisonKind, Order, PositionVerdict } from '../../core/search/types';
import { homePaths, maspoHome } from '../../platform/home';
import { mapBounded } from '../../core/common/bounded';
import { agentCallLabel, evaluationTaskType, handoffOptions, llmRequest, summaryCallLabel } from '../../workflows/llm-calls';
import { runMas } from '../../workflows/run-mas';
import { letterProbs, type TokenLogprob } from './letter-probs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    a: { type: 'string', default: 'seed' },
    b: { type: 'string' },
    kind: { type: 'string', default: 'global' },
    'held-out': { type: 'string' },
    out: { type: 'string', short: 'o' },
    'top-logprobs': { type: 'string', default: '10' },
  },
});

interface PairResult {
  itemId: string;
  /** Which prompt set got the item right. */
  correctSide: 'a' | 'b';
  order: Order;
  /** Position of the correct output in this order. */
  correctAt: 'A' | 'B';
  verdict: PositionVerdict;
  /** P(letter of the correct output) ÷ (P(A) + P(B)) at the verdict position; null when no verdict token was found. */
  pCorrect: number | null;
  replyTokens: number;
  finishReason: string | null;
}

async function main(): Promise<void> {
  const [configFile] = positionals;
  if (!configFile || !values.b || !values.out) throw new Error('usage: judge-agreement <config> --a seed|prompts.json --b prompts.json -o <dir> [--kind global|terminal] [--held-out N]');
  const kind = values.kind as ComparisonKind;
  if (!['global', 'terminal'].includes(kind)) throw new Error(`--kind: global or terminal (got ${kind})`);
  const loaded = await loadConfig(configFile);
  const evalInput = await buildEvaluateInput(loaded);
  const { ctx } = await buildOptimizeInput(loaded);
  const dataset = await heldOutDataset(loaded, values['held-out'] ? Number(values['held-out']) : undefined);
  const items = await loadDatasetItems(dataset);
  const sides = { a: await resolvePromptSet(evalInput.mas, values.a!), b: await resolvePromptSet(evalInput.mas, values.b) };
  const backbone = evalInput.models.backbone;
  const judge = modelSpec(loaded.config, 'judge');
  if (!judge || judge.provider !== 'local') throw new Error('models.judge: a local judge (provider: local) is needed for token probabilities');
  const judgeSlots = loaded.config.models.judge?.concurrency ?? 2;

  // Backbone calls through the workers' own `llmCall` activity and response cache (run outside a worker).
  const home = maspoHome();
  const { llmCall } = createLlmActivities({
    providers: createProviders({ home, concurrency: evalInput.options.concurrency, log: (l) => process.stderr.write(`${l}\n`) }),
    cache: responseCacheFor(homePaths(home).llmCacheDir),
  });
  const call = (request: LlmRequest) => new MockActivityEnvironment().run(llmCall, backbone, request) as Promise<LlmResult>;

  // 1. Both prompt sets' final outputs on every held-out item, graded (from the cache when the run was made before).
  const grader = datasetGrader(dataset);
  let fresh = 0;
  const finals = async (mas: MasSpec, item: LoadedItem) => {
    const c = (label: string, prompt: string) => call(llmRequest('backbone', prompt, 0, label)).then((r) => ((fresh += r.cached ? 0 : 1), r));
    const run = await runMas(mas, item.question, (agent, prompt) => c(agentCallLabel(item.id, agent.id), prompt), handoffOptions(mas, { summarizeAllWords: null, taskType: evaluationTaskType(dataset) }, (agent, prompt) => c(summaryCallLabel(item.id, agent.id), prompt)));
    const grade = await gradeOutput(grader, item as Parameters<typeof gradeOutput>[1], run.final);
    return { final: run.final, correct: grade.correct };
  };
  log(`rebuilding ${items.length} held-out items × 2 prompt sets from the response cache…`);
  const outcomes = await mapBounded(items, evalInput.options.concurrency, async (item) => ({ item, a: await finals(sides.a.mas, item), b: await finals(sides.b.mas, item) }));
  const accA = outcomes.filter((o) => o.a.correct).length;
  const accB = outcomes.filter((o) => o.b.correct).length;
  const discordant = outcomes.filter((o) => o.a.correct !== o.b.correct);
  log(`A ${accA}/${items.length} right, B ${accB}/${items.length}; ${discordant.length} discordant items; ${fresh} backbone calls were not cached`);

  // 2. The judge on every discordant pair, both orders, with token probabilities at the verdict.
  fs.mkdirSync(values.out, { recursive: true });
  const pairsFile = path.join(values.out, 'pairs.jsonl');
  const done = new Map<string, PairResult>();
  if (fs.existsSync(pairsFile)) for (const line of fs.readFileSync(pairsFile, 'utf8').split('\n').filter(Boolean)) {
    const r = JSON.parse(line) as PairResult;
    done.set(`${r.itemId}|${r.order}`, r);
  }
  const server = await ensureServer(judge.model, sizeServer({ concurrency: judgeSlots, maxTokens: Math.max(judge.maxTokens, 1024) }), { home, log: (l) => process.stderr.write(`${l}\n`) });
  const terminal = evalInput.mas.agents.find((g) => g.id === terminalAgent(graphOf(evalInput.mas)))!;
  const agent = { id: terminal.id, role: terminal.role, description: terminal.description };
  const jobs = discordant.flatMap((o) => {
    // The "candidate" is B's output and the "parent" A's, as in a search step where B's prompts were proposed.
    const requests = judgePrompts(ctx.settings, { kind, question: o.item.question, agent, candidate: o.b.final, parent: o.a.final }, ['candidate-first', 'parent-first']);
    return requests.map((r) => ({ o, r }));
  });
  const started = Date.now();
  let judged = 0;
  const results = await mapBounded(jobs, judgeSlots, async ({ o, r }) => {
    const id = `${o.item.id}|${r.order}`;
    const prior = done.get(id);
    if (prior) return prior;
    const correctSide = o.b.correct ? 'b' : 'a';
    const candidateAt = r.order === 'candidate-first' ? 'A' : 'B';
    const correctAt: 'A' | 'B' = correctSide === 'b' ? candidateAt : candidateAt === 'A' ? 'B' : 'A';
    const reply = await judgeWithLogprobs(server.state.baseURL, judge, r.prompt, Number(values['top-logprobs']));
    const verdict = parseVerdict(reply.text, ctx.settings.profile, ctx.settings.verdictParsing === 'tolerant');
    const pA = reply.letterProbs ? reply.letterProbs.A / (reply.letterProbs.A + reply.letterProbs.B || 1) : null;
    const result: PairResult = { itemId: o.item.id, correctSide, order: r.order, correctAt, verdict, pCorrect: pA === null ? null : correctAt === 'A' ? pA : 1 - pA, replyTokens: reply.tokens, finishReason: reply.finishReason };
    fs.appendFileSync(pairsFile, `${JSON.stringify(result)}\n`);
    judged++;
    log(`  ${judged}/${jobs.length - done.size} judged (${Math.round((Date.now() - started) / 1000)} s): ${id} verdict ${verdict}, correct at ${correctAt}, P(correct) ${result.pCorrect?.toFixed(2) ?? '—'}`);
    return result;
  });

  const summary = summarize(results, { accA, accB, n: items.length, discordant: discordant.length });
  const meta = { command: `node --import tsx bench/judge-agreement/main.ts ${process.argv.slice(2).join(' ')}`, date: new Date().toISOString(), config: configFile, a: sides.a.label, b: sides.b.label, kind, judge: judge.model, judgeMaxTokens: judge.maxTokens, dataset: dataset.name };
  fs.writeFileSync(path.join(values.out, 'summary.json'), `${JSON.stringify({ ...meta, ...summary }, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
}

/** Hard verdicts per order and per pair (both orders), and the soft preference from the letter probabilities. */
function summarize(results: PairResult[], counts: { accA: number; accB: number; n: number; discordant: number }) {
  const byItem = new Map<string, PairResult[]>();
  for (const r of results) byItem.set(r.itemId, [...(byItem.get(r.itemId) ?? []), r]);
  const perOrder = { correct: 0, wrong: 0, tie: 0, unparseable: 0, saidA: 0, saidB: 0 };
  for (const r of results) {
    if (r.verdict === 'A' || r.verdict === 'B') {
      perOrder[r.verdict === r.correctAt ? 'correct' : 'wrong']++;
      perOrder[r.verdict === 'A' ? 'saidA' : 'saidB']++;
    } else perOrder[r.verdict]++;
  }
  // Both orders, as `judgeBothOrders` combines them: the same output chosen twice is a verdict, anything else a tie.
  const pairs = { correct: 0, wrong: 0, tie: 0 };
  let softCorrect = 0;
  let softWrong = 0;
  const softMeans: number[] = [];
  for (const rs of byItem.values()) {
    const picks = rs.map((r) => (r.verdict === 'A' || r.verdict === 'B' ? (r.verdict === r.correctAt ? 'correct' : 'wrong') : 'none'));
    pairs[picks.length === 2 && picks[0] === picks[1] && picks[0] !== 'none' ? (picks[0] as 'correct' | 'wrong') : 'tie']++;
    const ps = rs.map((r) => r.pCorrect).filter((p): p is number => p !== null);
    if (ps.length === 2) {
      const mean = (ps[0] + ps[1]) / 2;
      softMeans.push(mean);
      if (mean > 0.5) softCorrect++;
      else if (mean < 0.5) softWrong++;
    }
  }
  const mean = softMeans.length ? softMeans.reduce((s, p) => s + p, 0) / softMeans.length : null;
  return {
    heldOut: counts,
    perOrder: { ...perOrder, signTestP: mcnemarExact(perOrder.correct, perOrder.wrong).pValue },
    pairsBothOrders: { ...pairs, signTestP: mcnemarExact(pairs.correct, pairs.wrong).pValue },
    soft: { pairs: softMeans.length, meanPCorrect: mean, leansCorrect: softCorrect, leansWrong: softWrong, signTestP: mcnemarExact(softCorrect, softWrong).pValue },
  };
}

interface JudgeReply {
  text: string;
  tokens: number;
  finishReason: string | null;
  /** Probability mass on "A" and on "B" at the verdict position, from the top log-probabilities. */
  letterProbs: { A: number; B: number } | null;
}

/** The judge's request exactly as the search sends it (same body), plus `logprobs`; temperature 0, so the same reply. */
async function judgeWithLogprobs(baseURL: string, spec: ModelSpec, prompt: string, top: number): Promise<JudgeReply> {
  const body = { ...chatCompletionParams(spec, llmRequest('judge', prompt, 0, 'judge-agreement')), logprobs: true, top_logprobs: top };
  const res = await fetch(`${baseURL.replace(/\/$/, '')}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`judge: HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
  const json = (await res.json()) as { choices: Array<{ message: { content: string }; finish_reason: string | null; logprobs?: { content?: TokenLogprob[] } }>; usage?: { completion_tokens?: number } };
  const choice = json.choices[0];
  return { text: choice.message.content ?? '', tokens: json.usage?.completion_tokens ?? 0, finishReason: choice.finish_reason, letterProbs: letterProbs(choice.logprobs?.content ?? []) };
}

function log(line: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`judge-agreement: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
