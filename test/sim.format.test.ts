import { defaultSimWorld } from '../core/schema/sim-config';
import { joinContext, renderTemplate } from '../core/common/template';
import { readSolutions, withoutSpans } from '../sim/format';
import { findProblem, solveExactly } from '../sim/problem';
import { generateTasks } from '../sim/tasks';
import { readPrompt, respond } from '../sim/world';
import { solverPrompt, successorPrompt } from '../fixtures/sim-chain';

const world = defaultSimWorld({ seed: 4 });
const tasks = generateTasks({ seed: 4, split: 'train', size: 50, world });
const solve = (template: string, i: number, context = '', maxTokens = 10_000) =>
  respond(world, {
    model: 'm',
    messages: [{ role: 'user', content: renderTemplate(template, { question: tasks[i].question, context }) }],
    temperature: 0,
    maxTokens,
  }).text;

describe('solution text: written and read back', () => {
  test('every written line is recognised as solution text', () => {
    const long = defaultSimWorld({ seed: 4, output: { longReplies: true, longReplyTokens: 300 } });
    for (const w of [world, long]) {
      for (let i = 0; i < tasks.length; i++) {
        for (const template of [solverPrompt(), solverPrompt('Think step by step.', 'Double-check your arithmetic.'), solverPrompt('Be concise.')]) {
          const text = respond(w, {
            model: 'm',
            messages: [{ role: 'user', content: renderTemplate(template, { question: tasks[i].question, context: '' }) }],
            temperature: 0,
            maxTokens: 100_000,
          }).text;
          expect(withoutSpans(text, readSolutions(text).spans).trim()).toBe('');
        }
      }
    }
  });

  test('a reader recovers every shown step and the final answer', () => {
    for (let i = 0; i < tasks.length; i++) {
      const text = solve(solverPrompt('Show each intermediate result.', 'Put the final answer inside <answer></answer>.'), i);
      const [read] = readSolutions(text).solutions;
      const steps = findProblem(tasks[i].question)!.problem.steps.length;
      expect([...read.shown.keys()]).toEqual(Array.from({ length: steps }, (_, k) => k + 1));
      expect(read.final).toBe(read.shown.get(steps));
    }
  });

  test('a truncated upstream hands on only what survived the cut', () => {
    const full = solve(solverPrompt('Think step by step.', 'Show each intermediate result.'), 0);
    const cut = full.slice(0, Math.floor(full.length / 2));
    const [read] = readSolutions(cut).solutions;
    expect(read.shown.size).toBeLessThan(findProblem(tasks[0].question)!.problem.steps.length);
  });

  test('several predecessors are read as separate solutions', () => {
    const a = solve(solverPrompt('Show each intermediate result.'), 1);
    const b = solve(solverPrompt('Be concise.'), 1);
    const prompt = renderTemplate(successorPrompt('Verify each step of the previous solution.'), {
      question: tasks[1].question,
      context: joinContext([{ agentId: 'math', text: a }, { agentId: 'science', text: b }]),
    });
    const read = readPrompt(prompt);
    expect(read.upstream).toHaveLength(2);
    expect(read.upstream[1].shown.size).toBe(0);
    expect(read.directives.verifyUpstream).toBe(true);
    expect(read.directives.brevity).toBe(false);
  });

  test('the problem is re-solved from the text wherever the template puts it', () => {
    const text = `Instructions first.\nQ: ${tasks[2].question}\n(end)`;
    expect(solveExactly(findProblem(text)!.problem)).toBe(tasks[2].answer);
    expect(findProblem('A shop has 3 crates. It juggles 2 crates. How many crates does it have now?')).toBeNull();
  });
});
