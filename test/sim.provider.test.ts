import { classifyLlmError } from '../activities/llm/errors';
import { createSimProvider, simProvider } from '../activities/llm/providers/sim';
import type { LlmRequest, ModelSpec } from '../core/contracts/llm';
import { defaultSimWorld } from '../core/schema/sim-config';
import type { SimWorldInput } from '../core/schema/sim-config';
import { drawFault, requestDigest } from '../sim/faults';
import { generateTasks } from '../sim/tasks';
import { respond } from '../sim/world';

const tasks = generateTasks({ seed: 8, split: 'train', size: 200, world: defaultSimWorld() });
const spec = (sim: SimWorldInput = {}, extra: Partial<ModelSpec> = {}): ModelSpec => ({
  provider: 'sim',
  model: 'sim-backbone',
  temperature: 0,
  maxTokens: 1024,
  timeoutMs: 5000,
  sim: sim as Record<string, unknown>,
  ...extra,
});
const request = (i: number, sampleIndex = 0): LlmRequest => ({
  role: 'backbone',
  messages: [{ role: 'user', content: `Think step by step.\n\nQuestion: ${tasks[i].question}` }],
  sampleIndex,
});
const options = () => ({ signal: new AbortController().signal });

describe('sim provider (in-process)', () => {
  test('maps respond() to a ProviderReply', async () => {
    const reply = await simProvider.complete(spec({ seed: 8 }), request(0), options());
    const expected = respond(defaultSimWorld({ seed: 8 }), { model: 'sim-backbone', messages: request(0).messages, temperature: 0, maxTokens: 1024, seed: 0 });
    expect(reply).toEqual({
      text: expected.text,
      finishReason: { unified: 'stop', raw: 'stop' },
      usage: expected.usage,
      empty: false,
      provider: 'sim',
      model: 'sim-backbone',
    });
  });

  test('sampleIndex is the sampling seed at temperature > 0', async () => {
    const hot = spec({ seed: 8 }, { temperature: 0.8 });
    const texts = async (sample: number) => Promise.all(tasks.slice(0, 20).map((_, i) => simProvider.complete(hot, request(i, sample), options()).then((r) => r.text)));
    expect(await texts(3)).toEqual(await texts(3));
    expect(await texts(3)).not.toEqual(await texts(4));
  });

  test('maxTokens truncation surfaces as finish reason length', async () => {
    const reply = await simProvider.complete(spec({}, { maxTokens: 5 }), request(0), options());
    expect(reply.finishReason).toEqual({ unified: 'length', raw: 'length' });
    expect(reply.usage.outputTokens).toBe(5);
  });

  test('faults apply in-process only when enabled, and classify like HTTP errors', async () => {
    const sim = { seed: 8, faults: { rateLimited: 0.5, retryAfterSeconds: 3 } };
    const world = defaultSimWorld(sim);
    const digest = (i: number) =>
      requestDigest({ model: 'sim-backbone', messages: request(i).messages, temperature: 0, maxTokens: 1024, seed: 0 });
    const i = tasks.findIndex((_, j) => drawFault(world, digest(j), 0) === 'rateLimited' && drawFault(world, digest(j), 1) === 'none');

    await expect(createSimProvider().complete(spec(sim), request(i), options())).resolves.toBeDefined();

    const provider = createSimProvider();
    const inProcess = { ...sim, faults: { ...sim.faults, inProcess: true } };
    const err = await provider.complete(spec(inProcess), request(i), options()).catch((e: unknown) => e);
    const failure = classifyLlmError(err, { provider: 'sim', model: 'sim-backbone' });
    expect(failure.type).toBe('LlmRateLimited');
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBe(3000);
    await expect(provider.complete(spec(inProcess), request(i), options())).resolves.toMatchObject({ empty: false });
  });

  test('an in-process empty reply is flagged, a hang ends with the abort signal', async () => {
    const emptyWorld = { seed: 8, faults: { empty: 1, inProcess: true } };
    const reply = await createSimProvider().complete(spec(emptyWorld), request(0), options());
    expect(reply).toMatchObject({ text: '', empty: true });

    const controller = new AbortController();
    const hanging = createSimProvider().complete(spec({ seed: 8, faults: { hang: 1, inProcess: true } }), request(0), { signal: controller.signal });
    setTimeout(() => controller.abort(new DOMException('timed out', 'TimeoutError')), 50);
    await expect(hanging).rejects.toMatchObject({ name: 'TimeoutError' });
  });
});
