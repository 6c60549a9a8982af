/** Test helpers: run a chain of simulated agents in-process (each agent's context = its predecessor's output). */
import { renderTemplate } from '../core/template';
import type { SimWorldConfig } from '../core/sim-config';
import type { SimTask } from '../sim/tasks';
import { respond } from '../sim/world';
import { extractFinalAnswer } from '../sim/answer';

export interface ChainRun {
  texts: string[];
  outputTokens: number[];
  final: number | null;
  correct: boolean;
}

export function runChain(world: SimWorldConfig, templates: readonly string[], task: SimTask, temperature = 0, sample = 0): ChainRun {
  const texts: string[] = [];
  const outputTokens: number[] = [];
  let context = '';
  for (const template of templates) {
    const content = renderTemplate(template, { question: task.question, context });
    const reply = respond(world, { model: 'sim-test', messages: [{ role: 'user', content }], temperature, maxTokens: 100_000, seed: sample });
    texts.push(reply.text);
    outputTokens.push(reply.usage.outputTokens);
    context = reply.text;
  }
  const final = extractFinalAnswer(texts[texts.length - 1]);
  return { texts, outputTokens, final, correct: final === task.answer };
}

export interface ChainStats {
  accuracy: number;
  /** Accuracy of the first agent's own output, read the same way. */
  firstAccuracy: number;
  /** Mean output tokens per agent position. */
  meanTokens: number[];
}

export function chainStats(world: SimWorldConfig, templates: readonly string[], tasks: readonly SimTask[]): ChainStats {
  let correct = 0;
  let firstCorrect = 0;
  const tokens = templates.map(() => 0);
  for (const task of tasks) {
    const run = runChain(world, templates, task);
    if (run.correct) correct++;
    if (extractFinalAnswer(run.texts[0]) === task.answer) firstCorrect++;
    run.outputTokens.forEach((t, i) => (tokens[i] += t));
  }
  return { accuracy: correct / tasks.length, firstAccuracy: firstCorrect / tasks.length, meanTokens: tokens.map((t) => t / tasks.length) };
}

/** A prompt made of directive sentences around the question (and, for successors, the context). */
export function solverPrompt(...instructions: string[]): string {
  return `You are a math solver. ${instructions.join(' ')}\n\nQuestion: {{question}}`;
}

export function successorPrompt(...instructions: string[]): string {
  return `You are a reviewer. Previous solution:\n{{context}}\n\n${instructions.join(' ')}\n\nQuestion: {{question}}`;
}
