import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, parseConfigText, resolveDataset } from '../client/config';
import { createEvaluationActivities } from '../activities/dataset-items';
import type { DatasetRef } from '../core/contracts/dataset';

const dataDir = mkdtempSync(path.join(tmpdir(), 'maspo-data-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
function put(rel: string, rows: unknown[]): string {
  const file = path.join(dataDir, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n');
  return file;
}
put('aqua/aqua.jsonl', [
  { question: 'q1', options: ['A ) 1', 'B ) 2', 'C ) 3', 'D ) 4', 'E ) 5'], rationale: '', problem: 'q1\nOptions:\nA ) 1\nB ) 2\nC ) 3\nD ) 4\nE ) 5', answer: 'E' },
  { question: 'q2', options: ['A ) 1', 'B ) 2', 'C ) 3', 'D ) 4', 'E ) 5'], rationale: '', problem: 'q2\nOptions:\nA ) 1\nB ) 2\nC ) 3\nD ) 4\nE ) 5', answer: 'B' },
]);
put('math-500/math_500.jsonl', [{ problem: 'Half of one?', solution: '', answer: '\\frac{1}{2}', subject: 's', level: 1, unique_id: 'test/a/1.json' }]);
put('mbpp/sanitized-mbpp.jsonl', [{ source_file: 'x', task_id: 7, prompt: 'Add one.', code: 'def inc(x):\n    return x + 1', test_imports: [], test_list: ['assert inc(1) == 2', 'assert inc(-1) == 0'] }]);
const broken = put('broken/gpqa.jsonl', [{ question: 'Q\nA. a\nB. b\nC. c\nD. d', answer: 'A' }, { question: 'Q2\nA. a\nB. b\nC. c\nD. d', answer: 'Z' }]);

const config = (dataset: string) => `
dataset: ${dataset}
mas:
  agents: [{ id: solver, prompt: "{{question}}" }]
models:
  backbone: { provider: sim, model: sim-agent }
`;
const configFile = path.join(dataDir, 'run.yaml');
const resolve = (dataset: string) => resolveDataset({ file: configFile, config: parseConfigText(configFile, config(dataset)) });

async function configError(dataset: string): Promise<string> {
  try {
    await resolve(dataset);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('benchmark datasets in the config', () => {
  const previous = process.env.MASPO_DATA_DIR;
  beforeAll(() => {
    process.env.MASPO_DATA_DIR = dataDir;
  });
  afterAll(() => {
    if (previous === undefined) delete process.env.MASPO_DATA_DIR;
    else process.env.MASPO_DATA_DIR = previous;
  });

  test('path defaults to ${MASPO_DATA_DIR}/<usual place>; the reference is small (path + digest + format)', async () => {
    const ref = await resolve('{ kind: benchmark, format: aqua }');
    expect(ref).toEqual({ kind: 'benchmark', name: 'aqua', format: 'aqua', path: path.join(dataDir, 'aqua/aqua.jsonl'), digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  test('explicit paths expand ${VAR}; limit and tests are carried', async () => {
    const ref = await resolve('{ kind: benchmark, format: math-500, path: "${MASPO_DATA_DIR}/math-500/math_500.jsonl", limit: 1 }');
    expect(ref).toMatchObject({ kind: 'benchmark', format: 'math-500', limit: 1 });
  });

  test('every line is validated before anything starts', async () => {
    expect(await configError(`{ kind: benchmark, format: gpqa, path: ${broken} }`)).toBe(`${broken}:2: answer 'Z' must be one of A, B, C, D`);
  });

  test('config mistakes are one-line errors', async () => {
    expect(() => parseConfigText('run.yaml', config('{ kind: benchmark, format: aime }'))).toThrow(/dataset\.format: /);
    expect(() => parseConfigText('run.yaml', config('{ kind: benchmark, format: aqua, tests: et }'))).toThrow(/dataset\.tests: only applies to format humaneval-et/);
    expect(() => parseConfigText('run.yaml', config('{ kind: jsonl, path: x.jsonl, grader: code }'))).toThrow(/dataset\.grader: code grading needs each item's tests/);
    expect(parseConfigText('run.yaml', config('{ kind: jsonl, path: x.jsonl, grader: math }')).dataset).toMatchObject({ grader: 'math' });
    expect(await configError('{ kind: benchmark, format: aqua, path: "${MASPO_NO_SUCH_VAR}/a.jsonl" }')).toMatch(/dataset\.path: environment variable MASPO_NO_SUCH_VAR is not set/);
    expect(await configError('{ kind: benchmark, format: gpqa }')).toMatch(/gpqa_diamond\.jsonl: cannot read dataset file \(no such file\)/);
  });
});

describe('evaluation activities on a benchmark reference', () => {
  const acts = createEvaluationActivities();
  const refOf = (format: 'aqua' | 'math-500' | 'mbpp'): Promise<DatasetRef> =>
    resolveDataset({ file: configFile, config: parseConfigText(configFile, config(`{ kind: benchmark, format: ${format}, path: ${path.join(dataDir, { aqua: 'aqua/aqua.jsonl', 'math-500': 'math-500/math_500.jsonl', mbpp: 'mbpp/sanitized-mbpp.jsonl' }[format])} }`)) });

  test('agents see id and question only', async () => {
    const ref = await refOf('mbpp');
    expect(await acts.describeDataset(ref)).toEqual({ count: 1 });
    const [view] = await acts.loadItems(ref, [0]);
    expect(view).toEqual({ index: 0, id: 'mbpp/7', question: 'Add one.\n\nYour code must define: def inc(x)' });
  });

  test('each item is graded with its benchmark grader', async () => {
    const aqua = await refOf('aqua');
    expect(await acts.gradeItem(aqua, { index: 0, output: 'The answer is E.' })).toEqual({ index: 0, correct: true, predicted: 'E', expected: 'E' });
    expect(await acts.gradeItem(aqua, { index: 1, output: 'The answer is therefore clearly E.' })).toMatchObject({ correct: false });
    const math = await refOf('math-500');
    expect(await acts.gradeItem(math, { index: 0, output: 'So \\boxed{0.5}' })).toEqual({ index: 0, correct: true, predicted: '0.5', expected: '\\frac{1}{2}' });
    const mbpp = await refOf('mbpp');
    const pass = await acts.gradeItem(mbpp, { index: 0, output: '```python\ndef inc(x):\n    return x + 1\n```' });
    expect(pass).toMatchObject({ correct: true, detail: 'passed' });
    const fail = await acts.gradeItem(mbpp, { index: 0, output: '```python\ndef inc(x):\n    return x\n```' });
    expect(fail).toMatchObject({ correct: false });
    expect(fail.detail).toMatch(/^assertion: tests: AssertionError \(at tests line 1: assert inc\(1\) == 2\)/);
  });
});
