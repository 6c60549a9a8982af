import { defaultSimWorld } from '../core/schema/sim-config';
import { renderTemplate } from '../core/common/template';
import { extractFinalAnswer, readFinalAnswer } from '../sim/answer';
import { NO_PROBLEM_REPLY } from '../sim/format';
import { generateTasks } from '../sim/tasks';
import { respond } from '../sim/world';
import type { SimRequest } from '../sim/world';
import { solverPrompt } from '../fixtures/sim-chain';

const world = defaultSimWorld({ seed: 21 });
const tasks = generateTasks({ seed: 21, split: 'train', size: 30, world });
const request = (template: string, i = 0, extra: Partial<SimRequest> = {}): SimRequest => ({
  model: 'sim-test',
  messages: [{ role: 'user', content: renderTemplate(template, { question: tasks[i].question, context: '' }) }],
  temperature: 0,
  maxTokens: 10_000,
  ...extra,
});

describe('respond', () => {
  test('is deterministic: same request and world, same reply', () => {
    for (let i = 0; i < tasks.length; i++) {
      const req = request(solverPrompt('Think step by step.'), i);
      expect(respond(world, req)).toEqual(respond(defaultSimWorld({ seed: 21 }), structuredClone(req)));
    }
  });

  test('temperature 0 ignores the sample seed; temperature > 0 varies with it', () => {
    const cold = tasks.map((_, i) => respond(world, request(solverPrompt('Think step by step.'), i, { seed: 1 })).text);
    const cold2 = tasks.map((_, i) => respond(world, request(solverPrompt('Think step by step.'), i, { seed: 2 })).text);
    expect(cold2).toEqual(cold);
    const hot = (seed: number) =>
      tasks.map((_, i) => respond(world, request(solverPrompt('Think step by step.'), i, { temperature: 0.7, seed })).text);
    expect(hot(1)).toEqual(hot(1));
    const differing = hot(1).filter((t, i) => t !== hot(2)[i]).length;
    expect(differing).toBeGreaterThan(tasks.length / 2);
  });

  test('the world seed and the model label change the draws', () => {
    const texts = (w = world, model = 'sim-test') => tasks.map((_, i) => respond(w, request(solverPrompt(), i, { model })).text);
    expect(texts(defaultSimWorld({ seed: 22 }))).not.toEqual(texts());
    expect(texts(world, 'other-model')).not.toEqual(texts());
  });

  test('token counts scale with text length (chars / 4) and max_tokens truncates', () => {
    const req = request(solverPrompt('Think step by step.', 'Double-check your arithmetic.'));
    const full = respond(world, req);
    expect(full.finishReason).toBe('stop');
    expect(full.usage.outputTokens).toBe(Math.ceil(full.text.length / 4));
    expect(full.usage.inputTokens).toBe(Math.ceil(req.messages[0].content.length / 4) + 3);
    expect(full.usage.totalTokens).toBe(full.usage.inputTokens + full.usage.outputTokens);

    const cut = respond(world, { ...req, maxTokens: 10 });
    expect(cut.finishReason).toBe('length');
    expect(cut.text).toBe(full.text.slice(0, 40));
    expect(cut.usage.outputTokens).toBe(10);
  });

  test('the long-reply switch makes replies about longReplyTokens long', () => {
    const long = defaultSimWorld({ seed: 21, output: { longReplies: true } });
    const reply = respond(long, request(solverPrompt('Put the final answer inside <answer></answer>.'), 0, { maxTokens: 20_000 }));
    expect(reply.usage.outputTokens).toBeGreaterThanOrEqual(7900);
    expect(reply.usage.outputTokens).toBeLessThanOrEqual(8100);
    expect(extractFinalAnswer(reply.text)).toBe(extractFinalAnswer(respond(world, request(solverPrompt('Put the final answer inside <answer></answer>.'))).text));
  });

  test('a request without a problem gets a plain refusal to calculate', () => {
    const reply = respond(world, { model: 'm', messages: [{ role: 'user', content: 'Hello there.' }], temperature: 0, maxTokens: 100 });
    expect(reply.text).toBe(NO_PROBLEM_REPLY);
  });

  test('system and user messages are both read; assistant messages are not', () => {
    const base = request(solverPrompt());
    const split: SimRequest = {
      ...base,
      messages: [
        { role: 'system', content: 'You are a math solver. Think step by step.' },
        { role: 'user', content: `Question: ${tasks[0].question}` },
      ],
    };
    expect(respond(world, split).text).toMatch(/^(Let's set this up|Here is the working|Let me lay out)/);
    const withAssistant: SimRequest = { ...base, messages: [...base.messages, { role: 'assistant', content: 'Think step by step.' }] };
    expect(respond(world, withAssistant).text).toBe(respond(world, base).text);
  });
});

describe('final-answer reader', () => {
  test.each([
    ['Step 1: 2 + 3 = 5\n<answer>5</answer>', 5, 'tag'],
    ['<answer>4</answer> then <answer>-12</answer>', -12, 'tag'],
    ['So the answer is 1,234.', 1234, 'phrase'],
    ['Answer: 63', 63, 'phrase'],
    ['That leaves 63 crates after all 4 steps.', 4, 'lastNumber'],
    ['63', 63, 'lastNumber'],
  ])('%j → %d (%s)', (text, value, source) => {
    expect(readFinalAnswer(text)).toEqual({ value, source });
  });

  test('no number, no answer', () => {
    expect(extractFinalAnswer('nothing here')).toBeNull();
  });
});
