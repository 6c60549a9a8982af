/**
 * `respond`: the simulated world's answer to one chat request. A pure, deterministic function of (world, request):
 * no clock, no global randomness, no I/O. Latency and faults are applied by the callers (server, provider).
 *
 * Reading a request (agents see only their prompt — integrity rule):
 * 1. prompt text = system and user messages, in order;
 * 2. the problem = the first well-formed word problem in it (sim/problem.ts);
 * 3. upstream solutions = recognised solution text (sim/format.ts), i.e. the {{context}};
 * 4. instructions = everything else; directives are read from it (sim/lexicon.ts), and its digest keys every draw,
 *    so any rewording changes the draws the way it changes a real model's sampling.
 * Draws are `uniformFrom(world.seed, model, instructionDigest, question, sample, decision...)`, where sample is the
 * request's `seed` at temperature > 0 and 0 at temperature 0.
 *
 * Roles: a request whose prompt starts with one of MASPO's title lines (core/search/prompts-common.ts) is answered by
 * that role's module — the pairwise judge (sim/judge.ts), the prompt optimizer (sim/optimizer.ts) or the hand-off
 * summariser (sim/summary.ts); every other request by the backbone agent. The role is read from the request text
 * only, as a real endpoint would see it (the model label does not matter).
 */
import { hashString, uniformFrom } from '../core/common/prng';
import type { ChatMessage } from '../core/contracts/llm';
import type { SimWorldConfig } from '../core/schema/sim-config';
import { behaviourOf, draftOf, solve } from './agent';
import type { Draw } from './agent';
import { NO_PROBLEM_REPLY, readSolutions, withoutSpans, writeSolution } from './format';
import { readDirectives, normaliseInstruction } from './lexicon';
import { findProblem } from './problem';
import { judgeKindOf, judgeReply } from './judge';
import { isOptimizerPrompt, optimizerReply } from './optimizer';
import { isSummaryPrompt, summaryReply } from './summary';

export interface SimRequest {
  model: string;
  messages: ChatMessage[];
  temperature: number;
  maxTokens: number;
  /** Sample index; only read at temperature > 0. */
  seed?: number;
}

export interface SimUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

export interface SimReply {
  text: string;
  finishReason: 'stop' | 'length';
  usage: SimUsage;
}

/** Token overhead per message, as chat formats add role markers. */
const TOKENS_PER_MESSAGE = 3;

export function respond(world: SimWorldConfig, req: SimRequest): SimReply {
  const prompt = promptText(req.messages);
  const text = answer(world, req, prompt);
  const cpt = world.output.charsPerToken;
  const inputTokens = Math.ceil(prompt.length / cpt) + TOKENS_PER_MESSAGE * req.messages.length;
  const full = tokensOf(text, cpt);
  if (full <= req.maxTokens) {
    return { text, finishReason: 'stop', usage: usage(inputTokens, full) };
  }
  const cut = text.slice(0, Math.max(0, Math.floor(req.maxTokens * cpt)));
  return { text: cut, finishReason: 'length', usage: usage(inputTokens, req.maxTokens) };
}

export function promptText(messages: readonly ChatMessage[]): string {
  return messages
    .filter((m) => m.role !== 'assistant')
    .map((m) => m.content)
    .join('\n\n');
}

export function tokensOf(text: string, charsPerToken: number): number {
  return Math.ceil(text.length / charsPerToken);
}

function usage(inputTokens: number, outputTokens: number): SimUsage {
  return { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
}

/** What the agent reads in its prompt; exported for tests and for the judge to come. */
export function readPrompt(prompt: string) {
  const found = findProblem(prompt);
  const exclude: Array<[number, number]> = found ? [found.span] : [];
  const upstream = readSolutions(prompt, exclude);
  const instructions = withoutSpans(prompt, [...exclude, ...upstream.spans]);
  return { found, upstream: upstream.solutions, instructions, directives: readDirectives(instructions).set };
}

/** Which simulated role answers a prompt (text that starts with one of MASPO's title lines). */
export function roleOf(prompt: string): 'judge' | 'optimizer' | 'summary' | 'agent' {
  if (judgeKindOf(prompt) !== null) return 'judge';
  if (isOptimizerPrompt(prompt)) return 'optimizer';
  if (isSummaryPrompt(prompt)) return 'summary';
  return 'agent';
}

function answer(world: SimWorldConfig, req: SimRequest, prompt: string): string {
  // A role prompt may follow a system message: the first message that starts with a title line decides.
  const own = req.messages.find((m) => m.role !== 'assistant' && roleOf(m.content) !== 'agent')?.content;
  switch (own === undefined ? 'agent' : roleOf(own)) {
    case 'judge':
      return judgeReply(world, req, own!);
    case 'optimizer':
      return optimizerReply(world, req, own!);
    case 'summary':
      return summaryReply(own!);
    case 'agent':
      return agentReply(world, req, prompt);
  }
}

function agentReply(world: SimWorldConfig, req: SimRequest, prompt: string): string {
  const { found, upstream, instructions, directives } = readPrompt(prompt);
  if (!found) return NO_PROBLEM_REPLY;
  const sample = req.temperature > 0 ? (req.seed ?? 0) : 0;
  const digest = hashString(normaliseInstruction(instructions).trim()).toString(36);
  const draw: Draw = (...names) => uniformFrom(world.seed, req.model, digest, found.text, sample, ...names);
  const behaviour = behaviourOf(world, directives, req.temperature);
  const walk = solve(world, found.problem, upstream, behaviour, draw);
  return writeSolution(draftOf(world, found.problem, walk, behaviour, draw));
}
