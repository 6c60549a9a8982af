import OpenAI from 'openai';
import { defaultSimWorld } from '../core/schema/sim-config';
import type { SimWorldConfig, SimWorldInput } from '../core/schema/sim-config';
import { drawFault, requestDigest } from '../sim/faults';
import type { FaultKind } from '../sim/faults';
import { startSimServer } from '../sim/server';
import type { SimServer } from '../sim/server';
import { generateTasks } from '../sim/tasks';
import { respond } from '../sim/world';
import type { SimRequest } from '../sim/world';

const tasks = generateTasks({ seed: 5, split: 'test', size: 200, world: defaultSimWorld() });
const prompt = (i: number) => `Think step by step. Put the final answer inside <answer></answer>.\n\nQuestion: ${tasks[i].question}`;
const simRequest = (i: number): SimRequest => ({
  model: 'sim-backbone',
  messages: [{ role: 'user', content: prompt(i) }],
  temperature: 0,
  maxTokens: 2048,
});

/** The first task index whose first attempt draws `kind` in `world` (the draw is a pure function). */
function taskWithFault(world: SimWorldConfig, kind: FaultKind, attempt = 0): number {
  const i = tasks.findIndex((_, j) => drawFault(world, requestDigest(simRequest(j)), attempt) === kind);
  if (i < 0) throw new Error(`no task draws ${kind}`);
  return i;
}

describe('sim server through the openai client', () => {
  let server: SimServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(input: SimWorldInput, requireApiKey?: string, keepRequests?: boolean) {
    const world = defaultSimWorld(input);
    server = await startSimServer({ world, port: 0, requireApiKey, keepRequests });
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: requireApiKey ?? 'unused', maxRetries: 0, timeout: 2000 });
    return { world, client, server };
  }

  const call = (client: OpenAI, i: number) =>
    client.chat.completions.create({ model: 'sim-backbone', messages: [{ role: 'user', content: prompt(i) }], temperature: 0, max_tokens: 2048 });

  test('answers like respond(), with usage, and counts the request once', async () => {
    const { world, client, server } = await start({ seed: 5 });
    const completion = await call(client, 0);
    const expected = respond(world, simRequest(0));
    expect(completion.choices[0].message.content).toBe(expected.text);
    expect(completion.choices[0].finish_reason).toBe('stop');
    expect(completion.usage).toEqual({
      prompt_tokens: expected.usage.inputTokens,
      completion_tokens: expected.usage.outputTokens,
      total_tokens: expected.usage.totalTokens,
    });
    expect(server.stats().byDigest).toEqual({ [requestDigest(simRequest(0))]: { attempts: 1, completed: 1 } });
    expect(server.stats().completed).toBe(1);
  });

  test('lists models and reports health', async () => {
    const { client, server } = await start({});
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['sim']);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
  });

  test('429 carries Retry-After; the retry of the same request can succeed', async () => {
    const input = { seed: 5, faults: { rateLimited: 0.5, retryAfterSeconds: 7 } };
    const { world, client, server } = await start(input);
    const i = tasks.findIndex(
      (_, j) => drawFault(world, requestDigest(simRequest(j)), 0) === 'rateLimited' && drawFault(world, requestDigest(simRequest(j)), 1) === 'none',
    );
    const err = await call(client, i).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(429);
    expect((err as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after')).toBe('7');
    expect((err as InstanceType<typeof OpenAI.APIError>).code).toBe('rate_limit_exceeded');
    const ok = await call(client, i);
    expect(ok.choices[0].message.content).toBe(respond(world, simRequest(i)).text);
    expect(server.stats().byDigest[requestDigest(simRequest(i))]).toEqual({ attempts: 2, completed: 1 });
    expect(server.stats().faults.rateLimited).toBe(1);
  });

  test('500 with an OpenAI-style error body', async () => {
    const { world, client } = await start({ seed: 5, faults: { serverError: 0.5 } });
    const err = await call(client, taskWithFault(world, 'serverError')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect((err as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ type: 'server_error' });
  });

  test('empty reply: content null', async () => {
    const { world, client } = await start({ seed: 5, faults: { empty: 0.5 } });
    const completion = await call(client, taskWithFault(world, 'empty'));
    expect(completion.choices[0].message.content).toBeNull();
    expect(completion.usage?.completion_tokens).toBe(0);
  });

  test('truncated reply: finish_reason length and a prefix of the full text', async () => {
    const { world, client } = await start({ seed: 5, faults: { truncated: 0.5 } });
    const i = taskWithFault(world, 'truncated');
    const completion = await call(client, i);
    const full = respond(world, simRequest(i)).text;
    expect(completion.choices[0].finish_reason).toBe('length');
    const text = completion.choices[0].message.content!;
    expect(text.length).toBeLessThan(full.length);
    expect(full.startsWith(text)).toBe(true);
  });

  test('hang: no answer until the client gives up; the server still closes', async () => {
    const { world, client, server } = await start({ seed: 5, faults: { hang: 0.5 } });
    const i = taskWithFault(world, 'hang');
    const started = Date.now();
    const err = await client.chat.completions
      .create({ model: 'sim-backbone', messages: [{ role: 'user', content: prompt(i) }], temperature: 0, max_tokens: 2048 }, { timeout: 300 })
      .catch((e: unknown) => e);
    // APIConnectionTimeoutError under plain Node; jest's separate realm makes the SDK see the abort as a
    // connection error (its parent class).
    expect(err).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(server.stats().faults.hang).toBe(1);
    expect(server.stats().completed).toBe(0);
  });

  test('latency: a fixed delay is observed', async () => {
    const { client } = await start({ latency: { distribution: 'fixed', meanMs: 150 } });
    const started = Date.now();
    await call(client, 0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  test('requireApiKey: 401 with an OpenAI-style body for a wrong key, success with the right one', async () => {
    const { server } = await start({}, 'sk-sim-secret');
    const wrong = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'sk-wrong', maxRetries: 0 });
    const err = await call(wrong, 0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((err as InstanceType<typeof OpenAI.APIError>).code).toBe('invalid_api_key');
    const right = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'sk-sim-secret', maxRetries: 0 });
    await expect(call(right, 0)).resolves.toBeDefined();
    expect(server.stats()).toMatchObject({ requests: 2, unauthorized: 1, completed: 1 });
  });

  test('malformed and unsupported requests get 400', async () => {
    const { client, server } = await start({});
    const err = await client.chat.completions
      .create({ model: 'sim', messages: [{ role: 'user', content: 'hi' }], stream: true })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    const raw = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', body: '{not json' });
    expect(raw.status).toBe(400);
    expect(server.stats().badRequests).toBe(2);
  });

  test('stats count attempts per request digest under concurrency', async () => {
    const { client, server } = await start({ seed: 5 });
    await Promise.all([0, 1, 2, 3, 4].map((i) => call(client, i)));
    await call(client, 0);
    const stats = server.stats();
    expect(stats.requests).toBe(6);
    expect(stats.byDigest[requestDigest(simRequest(0))]).toEqual({ attempts: 2, completed: 2 });
    for (const i of [1, 2, 3, 4]) expect(stats.byDigest[requestDigest(simRequest(i))]).toEqual({ attempts: 1, completed: 1 });
  });

  test('requestOf: the request behind a digest, only with keepRequests', async () => {
    const { client, server } = await start({ seed: 5 }, undefined, true);
    await client.chat.completions.create({ model: 'sim-backbone', messages: [{ role: 'user', content: prompt(0) }], temperature: 0, max_tokens: 2048, seed: 3 });
    const digest = requestDigest({ ...simRequest(0), seed: 3 });
    expect(Object.keys(server.stats().byDigest)).toEqual([digest]);
    expect(server.requestOf(digest)).toEqual({ ...simRequest(0), seed: 3 });
    expect(server.requestOf('0123')).toBeUndefined();
    await server.close();

    const plain = await start({ seed: 5 });
    await call(plain.client, 0);
    expect(plain.server.requestOf(requestDigest(simRequest(0)))).toBeUndefined();
  });
});
