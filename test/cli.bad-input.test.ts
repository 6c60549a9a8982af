/**
 * Bad input through the real CLI process: a one-line message naming the file, field or line, exit code 2,
 * no stack trace, and nothing started (no Temporal server, no workflow).
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnCli } from './support/processes';
import { tempHome } from './support/evaluation';

const GOOD = `
name: bad-input
dataset: { kind: sim, size: 3 }
mas:
  agents:
    - { id: a, prompt: "Solve {{question}}" }
    - { id: b, prompt: "Check {{context}} {{question}}" }
  edges: [a -> b]
models: { backbone: { provider: sim, model: s } }
`;

const home = tempHome();
function file(name: string, text: string): string {
  const p = path.join(home, name);
  writeFileSync(p, text);
  return p;
}

const brokenJsonl = file('broken.jsonl', '{"question": "1+1", "answer": "2"}\n{"question": "2+2", "answer": "4"}\n{"question": "3+3", answer: 6}\n');
const missingField = file('missing.jsonl', '{"question": "1+1", "answer": "2"}\n{"question": "2+2"}\n');

const cases: Array<[string, string[], RegExp]> = [
  ['YAML syntax', ['evaluate', file('syntax.yaml', 'name: [oops')], /syntax\.yaml:1:\d+: invalid YAML/],
  ['unknown agent in an edge', ['evaluate', file('edge.yaml', GOOD.replace('a -> b', 'a -> c'))], /edge\.yaml: mas\.edges\[0\]\.to: unknown agent 'c'/],
  ['cycle', ['evaluate', file('cycle.yaml', GOOD.replace('[a -> b]', '[a -> b, b -> a]'))], /cycle\.yaml: mas\.edges: the agent graph has a cycle/],
  ['missing placeholder', ['evaluate', file('ph.yaml', GOOD.replace('Check {{context}}', 'Check'))], /mas\.agents\[1\]\.prompt: agent 'b'.*\{\{context\}\}/],
  ['weights of wrong type', ['evaluate', file('type.yaml', GOOD.replace('size: 3', 'size: three'))], /type\.yaml: dataset\.size: /],
  ['broken dataset line', ['evaluate', file('ds.yaml', GOOD.replace('{ kind: sim, size: 3 }', `{ kind: jsonl, path: ${brokenJsonl}, grader: numeric }`))], /broken\.jsonl:3: invalid JSON/],
  ['missing dataset field', ['evaluate', file('ds2.yaml', GOOD.replace('{ kind: sim, size: 3 }', `{ kind: jsonl, path: ${missingField} }`))], /missing\.jsonl:2: missing field 'answer'/],
  ['missing dataset file', ['evaluate', file('ds3.yaml', GOOD.replace('{ kind: sim, size: 3 }', '{ kind: jsonl, path: nowhere.jsonl }'))], /nowhere\.jsonl: cannot read dataset file \(no such file\)/],
  ['unset env var in path', ['evaluate', file('ds4.yaml', GOOD.replace('{ kind: sim, size: 3 }', '{ kind: jsonl, path: "${MASPO_NO_SUCH_DIR}/x.jsonl" }'))], /dataset\.path: environment variable MASPO_NO_SUCH_DIR is not set/],
  ['missing API key for the inline worker', ['evaluate', file('key.yaml', GOOD.replace('provider: sim, model: s', 'provider: openai, model: gpt-4o-mini, apiKeyEnv: MASPO_NO_SUCH_KEY'))], /models\.backbone\.apiKeyEnv: environment variable MASPO_NO_SUCH_KEY is not set/],
  ['missing config file', ['evaluate', path.join(home, 'nope.yaml')], /nope\.yaml: cannot read config \(no such file\)/],
  ['unknown option', ['evaluate', '--frobnicate', 'x.yaml'], /unknown option '--frobnicate'/],
  ['missing argument', ['evaluate'], /missing required argument 'config'/],
  ['unknown command', ['optimise'], /unknown command 'optimise'/],
  ['bad worker flag', ['worker', '--concurrency', 'judge=zero'], /--concurrency: expected <role>=<n>/],
];

describe('maspo CLI on bad input', () => {
  test.each(cases)('%s', async (_name, args, message) => {
    const proc = spawnCli(args, { ...process.env, MASPO_HOME: home, TEMPORAL_ADDRESS: '', MASPO_NO_SUCH_KEY: '' });
    const code = await proc.exited;
    const out = proc.output().trim();
    expect(out).toMatch(message);
    expect(out.split('\n')).toHaveLength(1);
    expect(out).toMatch(/^maspo: /);
    expect(out).not.toMatch(/\n\s+at /);
    expect(code).toBe(2);
    // nothing started: the embedded server was never launched
    expect(existsSync(path.join(home, 'server.json'))).toBe(false);
    expect(existsSync(path.join(home, 'temporal.db'))).toBe(false);
  });

  test('--help works on every command', async () => {
    for (const args of [['--help'], ['evaluate', '--help'], ['worker', '--help'], ['server', '--help'], ['status', '--help'], ['sim', 'serve', '--help'], ['setup', '--help'], ['optimize', '--help'], ['plan', '--help'], ['compare', '--help'], ['result', '--help'], ['pause', '--help']]) {
      const proc = spawnCli(args, { ...process.env, MASPO_HOME: home });
      expect(await proc.exited).toBe(0);
      expect(proc.output()).toMatch(/Usage: maspo/);
    }
  });
});
