/**
 * The simulated prompt optimizer. Answers a meta-prompt built by core/search/prompts-optimizer.ts (recognised by
 * its title line) with a new prompt: the parent edited by adding or removing lexicon directives (sim/lexicon.ts).
 *
 * Integrity: it reads only the meta-prompt text — the parent prompt, the traces and the cases it shows — never the
 * world's hidden utility or any answer. Every edit is drawn at random; visible evidence only tilts the weights:
 * - traces whose outputs lack <answer> tags            → "add the answer tag" likelier;
 * - traces with equations that visibly do not hold     → "step by step" / "double-check" likelier;
 * - MARKED misalignment cases whose outputs were brief → "remove brevity" and "show intermediate results" likelier,
 *                                                        "add brevity" less likely.
 * Base weights: 1 per absent directive (add), `removeWeight` per present one (remove); successor-only directives
 * (verify / trust / solve independently) only when the parent has {{context}}. One edit, a second with
 * `secondEditRate`, a neutral sentence with `rewordRate`. Placeholders are never touched.
 *
 * Deterministic given (world, model, prompt, sample); sample = the request's seed at temperature > 0, else 0. With
 * `optimizer.caseReaction: local` the draws depend on the parent prompt and traces only, not on the cases shown.
 */
import { hashString, uniformFrom } from '../core/common/prng';
import type { SimWorldConfig } from '../core/schema/sim-config';
import { fenced, readFences } from '../core/search/fence';
import { OPTIMIZER_TITLE } from '../core/search/prompts-common';
import { DIRECTIVE_IDS, directive, readDirectives, type DirectiveId } from './lexicon';
import { equationsOf, hasAnswerTag, inconsistentEquations, isBrief } from './inspect';
import { applyOp } from './problem';

export interface OptimizerRequestLike {
  model: string;
  temperature: number;
  seed?: number;
}

export function isOptimizerPrompt(prompt: string): boolean {
  return prompt.startsWith(OPTIMIZER_TITLE + '\n');
}

/** What the meta-prompt visibly shows (shares in [0, 1]). */
export interface Evidence {
  untagged: number;
  slips: number;
  briefMarked: number;
  marked: number;
}

export function evidenceOf(prompt: string): Evidence {
  const blocks = readFences(prompt);
  const outputs = (re: RegExp) => blocks.filter((b) => re.test(b.label)).map((b) => b.text);
  const traces = outputs(/^(trace|extra)\d+\.output$/);
  const marked = outputs(/^misaligned\d+\.output$/);
  const share = (xs: string[], f: (t: string) => boolean) => (xs.length ? xs.filter(f).length / xs.length : 0);
  const slipped = (t: string) => equationsOf(t).some((e) => applyOp(e.op, e.x, e.n) !== e.y) || inconsistentEquations(t, null) > 0;
  return {
    untagged: share(traces, (t) => !hasAnswerTag(t)),
    slips: share(traces, slipped),
    briefMarked: share(marked, isBrief),
    marked: marked.length,
  };
}

const SUCCESSOR_ONLY: readonly DirectiveId[] = ['verifyUpstream', 'trustUpstream', 'solveIndependently'];
const NEUTRAL = ['Stay focused on the question.', 'Work carefully.', 'Be precise.', 'Read the question closely.', 'Keep to your role.'];

interface Edit {
  id: DirectiveId;
  add: boolean;
  weight: number;
}

function candidateEdits(world: SimWorldConfig, present: Record<DirectiveId, boolean>, hasContext: boolean, e: Evidence): Edit[] {
  const w = world.optimizer.evidenceWeight;
  const misled = 1 + 2 * w * e.briefMarked;
  const edits: Edit[] = [];
  for (const id of DIRECTIVE_IDS) {
    if (SUCCESSOR_ONLY.includes(id) && !hasContext) continue;
    if (present[id]) {
      let weight = world.optimizer.removeWeight;
      if (id === 'brevity') weight *= misled;
      if (id === 'showIntermediates' || id === 'stepByStep') weight /= misled;
      if (id === 'answerTag') weight /= 1 + w * e.untagged;
      edits.push({ id, add: false, weight });
    } else {
      let weight = 1;
      if (id === 'answerTag') weight *= 1 + w * e.untagged;
      if (id === 'doubleCheck' || id === 'stepByStep') weight *= 1 + w * e.slips;
      if (id === 'showIntermediates') weight *= misled;
      if (id === 'brevity') weight /= misled;
      edits.push({ id, add: true, weight });
    }
  }
  return edits;
}

function pick(edits: Edit[], u: number): Edit {
  const total = edits.reduce((s, x) => s + x.weight, 0);
  let acc = 0;
  for (const x of edits) if ((acc += x.weight) / total > u) return x;
  return edits[edits.length - 1];
}

/** Removes every non-negated occurrence of the directive: its sentence, or just the phrase if the sentence holds a placeholder. */
export function removeDirective(prompt: string, id: DirectiveId): string {
  let text = prompt;
  for (let guard = 0; guard < 10 && readDirectives(text).set[id]; guard++) {
    const phrases = [...directive(id).phrases].sort((a, b) => b.length - a.length);
    let changed = false;
    for (const phrase of phrases) {
      const re = new RegExp(`(^|[^A-Za-z0-9])${phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+')}(?![A-Za-z0-9])`, 'i');
      const m = re.exec(text);
      if (!m) continue;
      const at = m.index + m[1].length;
      const end = at + m[0].length - m[1].length;
      const start = Math.max(text.lastIndexOf('.', at - 1), text.lastIndexOf('!', at - 1), text.lastIndexOf('?', at - 1), text.lastIndexOf('\n', at - 1)) + 1;
      const stops = ['.', '!', '?', '\n'].map((c) => text.indexOf(c, end)).filter((i) => i >= 0);
      const stop = stops.length ? Math.min(...stops) + (text[Math.min(...stops)] === '\n' ? 0 : 1) : text.length;
      text = text.slice(start, stop).includes('{{') ? text.slice(0, at) + text.slice(end) : text.slice(0, start) + text.slice(stop);
      changed = true;
      break;
    }
    if (!changed) break;
  }
  return text.replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim();
}

/** Inserts the directive's canonical sentence on its own line before the first placeholder line. */
export function addDirective(prompt: string, id: DirectiveId): string {
  let text = prompt;
  if (id === 'trustUpstream') text = removeDirective(text, 'solveIndependently');
  if (id === 'solveIndependently') text = removeDirective(text, 'trustUpstream');
  return insertSentence(text, `${capitalise(directive(id).phrases[0])}.`);
}

function insertSentence(prompt: string, sentence: string): string {
  const lines = prompt.split('\n');
  const at = lines.findIndex((l) => l.includes('{{'));
  if (at <= 0) return `${sentence}\n${prompt}`;
  lines.splice(at, 0, sentence);
  return lines.join('\n');
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** `caseReaction: local`: the parent prompt and the traces, without the case section (its blocks are not traces). */
function drawBasis(prompt: string): string {
  return readFences(prompt)
    .filter((b) => b.label === 'prompt' || /^trace\d+\./.test(b.label))
    .map((b) => `${b.label}\n${b.text}`)
    .join('\n');
}

export function optimizerReply(world: SimWorldConfig, req: OptimizerRequestLike, prompt: string): string {
  const parent = fenced(readFences(prompt), 'prompt');
  if (parent === null) return 'The request shows no current prompt to improve.';
  const sample = req.temperature > 0 ? (req.seed ?? 0) : 0;
  const o = world.optimizer;
  const digest = hashString(o.caseReaction === 'local' ? drawBasis(prompt) : prompt).toString(36);
  const draw = (...names: Array<string | number>) => uniformFrom(world.seed, req.model, 'optimizer', digest, sample, ...names);
  const evidence = evidenceOf(prompt);
  const hasContext = /\{\{\s*context\s*\}\}/.test(parent);

  let next = parent;
  const done: string[] = [];
  const count = draw('second') < o.secondEditRate ? 2 : 1;
  for (let k = 0; k < count; k++) {
    const present = readDirectives(next).set;
    const edits = candidateEdits(world, present, hasContext, evidence).filter((x) => !done.some((d) => d.endsWith(x.id)));
    if (!edits.length) break;
    const edit = pick(edits, draw('edit', k));
    next = edit.add ? addDirective(next, edit.id) : removeDirective(next, edit.id);
    done.push(`${edit.add ? 'add' : 'remove'} ${edit.id}`);
  }
  if (draw('reword') < o.rewordRate) {
    next = insertSentence(next, NEUTRAL[Math.floor(draw('neutral') * NEUTRAL.length)]);
    done.push('reword');
  }
  const analysis =
    `<analysis>${evidence.untagged > 0 ? `${Math.round(evidence.untagged * 100)}% of the traces give no tagged answer. ` : ''}` +
    `${evidence.slips > 0 ? `${Math.round(evidence.slips * 100)}% of the traces show a wrong calculation. ` : ''}` +
    `${evidence.marked > 0 ? `${Math.round(evidence.briefMarked * 100)}% of the ${evidence.marked} flagged outputs were bare answers without intermediate results. ` : ''}` +
    `I will adjust the instructions accordingly.</analysis>`;
  const modification = `<modification>${done.join('; ')}</modification>`;
  if (draw('malformed') < o.malformed) return `${analysis}\n${modification}\nNew prompt:\n${next}`;
  return `${analysis}\n${modification}\n<prompt>\n${next}\n</prompt>`;
}
