import { parseConfigText, ConfigError } from '../client/config';

const valid = `
name: chain
seed: 3
dataset: { kind: sim, split: test, size: 10 }
mas:
  topology: chain
  agents:
    - id: solver
      prompt: "Solve: {{question}}"
    - id: reviewer
      prompt: "Check {{context}} for {{question}}"
  edges: ["solver -> reviewer"]
models:
  backbone: { provider: sim, model: sim-agent }
`;

function errorOf(text: string, file = 'run.yaml'): string {
  try {
    parseConfigText(file, text);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('config validation', () => {
  test('a valid config parses with defaults', () => {
    const c = parseConfigText('run.yaml', valid);
    expect(c.mas.edges).toEqual([{ from: 'solver', to: 'reviewer' }]);
    expect(c.models.backbone).toMatchObject({ temperature: 0, maxTokens: 1024, concurrency: 8 });
    expect(c.evaluate).toEqual({ concurrency: 8, batchSize: 20, bootstrapResamples: 2000, llmHeartbeatTimeoutMs: 20_000, llmDispatch: 'workflow-queue' });
    expect(c.taskQueue).toBe('maspo');
  });

  test('JSON configs work too', () => {
    const c = parseConfigText('run.json', JSON.stringify({ dataset: { kind: 'sim' }, mas: { agents: [{ id: 'a', prompt: '{{question}}' }] }, models: { backbone: { provider: 'sim', model: 's' } } }));
    expect(c.mas.agents[0].role).toBe('agent');
  });

  test.each([
    ['wrong type', valid.replace('seed: 3', 'seed: "three"'), /^run\.yaml: seed: /],
    ['negative size', valid.replace('size: 10', 'size: -1'), /^run\.yaml: dataset\.size: /],
    ['unknown provider', valid.replace('provider: sim', 'provider: anthropic'), /^run\.yaml: models\.backbone\.provider: /],
    ['inline api key', valid.replace('model: sim-agent', 'model: sim-agent, apiKey: sk-123'), /models\.backbone\.apiKey: API keys are never read from config files/],
    ['unknown field', valid.replace('name: chain', 'name: chain\nrounds: 3'), /^run\.yaml: \(root\): unknown field 'rounds'/],
    ['unknown agent in edge', valid.replace('solver -> reviewer', 'solver -> judge'), /mas\.edges\[0\]\.to: unknown agent 'judge'/],
    ['cycle', valid.replace('edges: ["solver -> reviewer"]', 'edges: ["solver -> reviewer", "reviewer -> solver"]'), /mas\.edges: the agent graph has a cycle/],
    ['two terminals', valid.replace('edges: ["solver -> reviewer"]', 'edges: []'), /exactly one terminal agent, found 2/],
    ['missing context placeholder', valid.replace('Check {{context}} for', 'Check'), /mas\.agents\[1\]\.prompt: agent 'reviewer': the agent has predecessors but its prompt has no \{\{context\}\}/],
    ['bad agent id', valid.replace('id: solver', 'id: "1solver"'), /mas\.agents\[0\]\.id: must start with a letter/],
    ['missing models', valid.replace(/models:[\s\S]*$/, ''), /^run\.yaml: models: /],
    ['openai without key env', valid.replace('provider: sim, model: sim-agent', 'provider: openai, model: gpt-4o-mini'), /models\.backbone\.apiKeyEnv: required for provider openai/],
    ['temperature out of range', valid.replace('model: sim-agent', 'model: sim-agent, temperature: 5'), /models\.backbone\.temperature/],
    ['YAML syntax error', 'name: [unclosed', /^run\.yaml:1:\d+: invalid YAML/],
    ['top level not a mapping', '- a\n- b', /expected a mapping/],
  ])('%s → one-line error naming the field', (_name, text, message) => {
    const m = errorOf(text);
    expect(m).toMatch(message);
    expect(m).not.toMatch(/\n/);
  });

  test('invalid JSON names the file', () => {
    expect(errorOf('{"name": ', 'run.json')).toMatch(/^run\.json: invalid JSON/);
  });
});
