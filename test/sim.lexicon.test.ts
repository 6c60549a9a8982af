import { defaultSimWorld } from '../core/schema/sim-config';
import { renderTemplate } from '../core/common/template';
import { DIRECTIVE_IDS, LEXICON, readDirectives } from '../sim/lexicon';
import type { DirectiveId } from '../sim/lexicon';
import { generateTasks } from '../sim/tasks';
import { readPrompt, respond } from '../sim/world';
import { readSolutions, withoutSpans } from '../sim/format';
import { runChain, solverPrompt, successorPrompt } from '../fixtures/sim-chain';

const on = (text: string) => DIRECTIVE_IDS.filter((id) => readDirectives(text).set[id]);

describe('lexicon', () => {
  test('every paraphrase is recognised, case- and whitespace-insensitively', () => {
    for (const d of LEXICON) {
      for (const phrase of d.phrases) {
        expect(on(`Please, ${phrase.toUpperCase().replace(/ /g, '  ')} now.`)).toEqual([d.id]);
      }
    }
  });

  test('other text is ignored; matches need word boundaries', () => {
    expect(on('You are a helpful math solver. Answer the question.')).toEqual([]);
    expect(on('The conciseness of the proof')).toEqual([]);
  });

  test('longest phrase wins and consumes its text', () => {
    expect(on('Check the previous solution step by step.')).toEqual(['verifyUpstream']);
    expect(on('Check the previous solution step by step. Then think step by step.')).toEqual(['stepByStep', 'verifyUpstream']);
  });

  test('negated phrases are ignored', () => {
    expect(on('Do not be concise.')).toEqual([]);
    expect(on("Don't trust the previous answer; verify the previous solution.")).toEqual(['verifyUpstream']);
    expect(on('Never just give only the final answer. Be concise.')).toEqual(['brevity']);
  });

  test('trust and independence: the one mentioned last wins', () => {
    expect(on('Trust the previous answer. Actually, solve it independently.')).toEqual(['solveIndependently']);
    expect(on('Solve independently, but in the end trust the previous answer.')).toEqual(['trustUpstream']);
  });

  test('the reference default prompts read as expected', () => {
    expect(on("Let's think step by step. Put the final answer between <answer> and </answer>.")).toEqual(['stepByStep', 'answerTag']);
  });
});

describe('simulated outputs stay out of the lexicon', () => {
  const world = defaultSimWorld({ seed: 9, output: { longReplies: true, longReplyTokens: 600 } });
  const tasks = generateTasks({ seed: 9, split: 'train', size: 40, world });
  const directiveSets: DirectiveId[][] = [[], ['stepByStep', 'doubleCheck', 'showIntermediates'], ['brevity'], ['stepByStep', 'answerTag']];
  const phraseOf = (id: DirectiveId) => LEXICON.find((d) => d.id === id)!.phrases[0];

  test('no reply contains a directive phrase (beyond its own answer tag), and none claims to be a model', () => {
    for (const ids of directiveSets) {
      for (const task of tasks) {
        const run = runChain(world, [solverPrompt(...ids.map(phraseOf)), successorPrompt('Verify each step of the previous solution.')], task);
        for (const text of run.texts) {
          expect(readDirectives(text).matches.filter((m) => m.id !== 'answerTag')).toEqual([]);
          // As context, every line is recognised as solution text, so nothing of it reaches a reader's directives.
          expect(readDirectives(withoutSpans(text, readSolutions(text).spans)).matches).toEqual([]);
          expect(text).not.toMatch(/\b(AI|language model|assistant|as a model|I am an?)\b/i);
        }
      }
    }
  });

  test('a successor reads directives only from its own instructions, not from the context', () => {
    const task = tasks[0];
    const upstream = respond(world, {
      model: 'm',
      messages: [{ role: 'user', content: renderTemplate(solverPrompt('Think step by step.', 'Show each intermediate result.'), { question: task.question, context: '' }) }],
      temperature: 0,
      maxTokens: 10_000,
    }).text;
    const read = readPrompt(renderTemplate(successorPrompt('Be concise.'), { question: task.question, context: upstream }));
    expect(DIRECTIVE_IDS.filter((id) => read.directives[id])).toEqual(['brevity']);
    expect(read.found?.text).toBe(task.question);
    expect(read.upstream).toHaveLength(1);
    expect(read.instructions).not.toContain('Step 1');
  });
});
