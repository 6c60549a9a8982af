import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseBenchmark, type BenchmarkItem } from '../datasets/benchmarks';
import { DatasetError } from '../datasets/errors';
import { gradeOutput } from '../activities/graders/grade';
import { BENCHMARK_DEFAULT_PATHS } from '../core/schema/config';
import { BENCHMARK_GRADERS, type BenchmarkFormat } from '../core/contracts/dataset';
import { mathEquivalent } from '../core/grading/math-equivalence';

const dir = mkdtempSync(path.join(tmpdir(), 'maspo-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const jsonl = (rows: unknown[]) => rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n';
function fixture(name: string, rows: unknown[]): { file: string; bytes: Buffer } {
  const file = path.join(dir, name);
  writeFileSync(file, jsonl(rows));
  return { file, bytes: readFileSync(file) };
}
const load = (format: BenchmarkFormat, rows: unknown[], opts = {}) => {
  const f = fixture(`${format}.jsonl`, rows);
  return parseBenchmark(format, f.file, f.bytes, opts);
};

// Fixture lines in each file's real layout (abridged from the public datasets).
const MATH_ROWS = [
  { problem: 'Convert $(0,3)$ to polar coordinates.', solution: '... $\\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}.$', answer: '\\left( 3, \\frac{\\pi}{2} \\right)', subject: 'Precalculus', level: 2, unique_id: 'test/precalculus/807.json' },
  { problem: 'What is $10080$ written with a separator?', solution: '$\\boxed{10,\\!080}$', answer: '10,\\!080', subject: 'Prealgebra', level: 1, unique_id: 'test/prealgebra/1.json' },
];
const AGI_ROWS = [{ problem: 'Find the values of $\\lambda$ ...', answer: '(3,4]', solution: '...', level: 5, type: 'Intermediate Algebra' }];
const AQUA_ROWS = [
  {
    question: 'A car is driven towards a tower ...',
    options: ['A ) 5 ( √ 3 + 1 )', 'B ) 6 ( √ 3 + √ 2 )', 'C ) 7 ( √ 3 – 1 )', 'D ) 8 ( √ 3 – 2 )', 'E ) None of these'],
    rationale: '... Answer : A',
    problem: 'A car is driven towards a tower ...\nOptions:\nA ) 5 ( √ 3 + 1 )\nB ) 6 ( √ 3 + √ 2 )\nC ) 7 ( √ 3 – 1 )\nD ) 8 ( √ 3 – 2 )\nE ) None of these',
    answer: 'A',
  },
];
const GPQA_ROWS = [{ question: 'Which exoplanet has the highest density?\n\na) ...\n\nA. d\nB. a\nC. b\nD. c', answer: 'D' }];
const MBPP_ROWS = [
  {
    source_file: 'x.ipynb',
    task_id: 2,
    prompt: 'Write a function to find the shared elements from the given two lists.',
    code: 'def similar_elements(test_tup1, test_tup2):\n  res = tuple(set(test_tup1) & set(test_tup2))\n  return (res) ',
    test_imports: [],
    test_list: ['assert set(similar_elements((3, 4, 5, 6),(5, 7, 4, 10))) == set((4, 5))', 'assert set(similar_elements((1, 2, 3, 4),(5, 4, 3, 7))) == set((3, 4))'],
  },
  {
    source_file: 'x.ipynb',
    task_id: 3,
    prompt: 'Write a python function to identify non-prime numbers.',
    code: 'def is_not_prime(n):\n    return any(n % i == 0 for i in range(2, math.isqrt(n) + 1))',
    test_imports: ['import math'],
    test_list: ['assert is_not_prime(2) == False', 'assert is_not_prime(10) == True'],
  },
];
const HE_ROWS = [
  {
    task_id: 'HumanEval/0',
    prompt: 'from typing import List\n\n\ndef has_close_elements(numbers: List[float], threshold: float) -> bool:\n    """ Check if any two numbers are closer than threshold.\n    >>> has_close_elements([1.0, 2.0, 3.0], 0.5)\n    False\n    """\n',
    entry_point: 'has_close_elements',
    canonical_solution: '    for i, a in enumerate(numbers):\n        for j, b in enumerate(numbers):\n            if i != j and abs(a - b) < threshold:\n                return True\n    return False\n',
    test: "\n\nMETADATA = {'author': 'jt'}\n\n\ndef check(candidate):\n    assert candidate([1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.3) == True\n    assert candidate([1.0, 2.0, 5.9, 4.0, 5.0], 0.8) == False\n\n",
    test_list: ['assert has_close_elements([4.88, 7.89, 3.67, 5.68, 4.88], 2.06) == True', 'assert has_close_elements([1.0, 5.0], 0.5) == False'],
  },
];

describe('benchmark loaders on fixture lines', () => {
  test('MATH-500: id from unique_id, math grader', () => {
    const [item] = load('math-500', MATH_ROWS);
    expect(item).toEqual({ id: 'test/precalculus/807.json', question: MATH_ROWS[0].problem, answer: MATH_ROWS[0].answer, grader: 'math' });
  });

  test('AGIEval-MATH: ids from the line number', () => {
    expect(load('agieval-math', AGI_ROWS)[0]).toMatchObject({ id: 'agieval-math/1', answer: '(3,4]', grader: 'math' });
  });

  test('AQuA: question with options, letters A–E', () => {
    const [item] = load('aqua', AQUA_ROWS);
    expect(item).toMatchObject({ id: 'aqua/1', answer: 'A', grader: 'choice', letters: 'ABCDE' });
    expect(item.question).toContain('\nOptions:\nA ) 5 ( √ 3 + 1 )');
  });

  test('GPQA: options embedded in the question, letters A–D', () => {
    expect(load('gpqa', GPQA_ROWS)[0]).toMatchObject({ id: 'gpqa/1', answer: 'D', grader: 'choice', letters: 'ABCD' });
  });

  test('MBPP: the question has the task and signature, never the tests', () => {
    const [a, b] = load('mbpp', MBPP_ROWS);
    expect(a).toMatchObject({ id: 'mbpp/2', grader: 'code', code: { style: 'mbpp', entryPoint: 'similar_elements', prelude: '' } });
    expect(a.question).toBe('Write a function to find the shared elements from the given two lists.\n\nYour code must define: def similar_elements(test_tup1, test_tup2)');
    expect(a.question).not.toContain('assert');
    expect(b.code!.prelude).toBe('import math');
  });

  test('HumanEval-ET: the prompt is the question; tests are check() by default, test_list with tests: et', () => {
    const [item] = load('humaneval-et', HE_ROWS);
    expect(item).toMatchObject({ id: 'HumanEval/0', question: HE_ROWS[0].prompt, grader: 'code', code: { style: 'humaneval', entryPoint: 'has_close_elements' } });
    expect(item.code!.tests).toMatch(/def check\(candidate\)[\s\S]*check\(has_close_elements\)\n$/);
    expect(item.question).not.toContain('check(');
    const [et] = load('humaneval-et', HE_ROWS, { tests: 'et' });
    expect(et.code!.tests).toBe(HE_ROWS[0].test_list.join('\n'));
  });

  test('limit keeps the first items but validates every line', () => {
    expect(load('math-500', MATH_ROWS, { limit: 1 })).toHaveLength(1);
    expect(() => load('math-500', [...MATH_ROWS, '{broken'], { limit: 1 })).toThrow(/:3: invalid JSON/);
  });

  test('gold answers are graded correct, wrong ones are not', async () => {
    const all: BenchmarkItem[] = [...load('math-500', MATH_ROWS), ...load('agieval-math', AGI_ROWS)];
    for (const item of all) {
      expect(mathEquivalent(item.answer, item.answer)).toBe(true);
      expect((await gradeOutput('math', item, `Work...\nSo the answer is $\\boxed{${item.answer}}$.`)).correct).toBe(true);
      expect((await gradeOutput('math', item, '\\boxed{7}')).correct).toBe(false);
    }
    for (const item of [...load('aqua', AQUA_ROWS), ...load('gpqa', GPQA_ROWS)]) {
      expect((await gradeOutput('choice', item, `Reasoning.\nThe answer is (${item.answer}).`)).correct).toBe(true);
      const other = item.letters!.replace(item.answer, '')[0];
      expect((await gradeOutput('choice', item, `The answer is ${other}.`)).correct).toBe(false);
      // Substring tricks from the reference do not count.
      expect((await gradeOutput('choice', item, `therefore it must be the one whose value is ${item.answer}ish`)).correct).toBe(false);
    }
  });

  test('code: the reference solution passes in the sandbox; a wrong or hostile one fails', async () => {
    const [mbpp, mbppMath] = load('mbpp', MBPP_ROWS);
    const [he] = load('humaneval-et', HE_ROWS);
    const [heEt] = load('humaneval-et', HE_ROWS, { tests: 'et' });
    for (const item of [mbpp, mbppMath, he, heEt]) {
      const g = await gradeOutput('code', item, `Here you go:\n\`\`\`python\n${item.answer}\n\`\`\``);
      expect(g).toMatchObject({ correct: true, detail: 'passed' });
    }
    // HumanEval: a body-only completion (the dataset's canonical_solution) and a full function using the prompt's List import.
    expect((await gradeOutput('code', he, HE_ROWS[0].canonical_solution)).correct).toBe(true);
    const full = 'def has_close_elements(numbers: List[float], threshold: float) -> bool:\n    return any(abs(a - b) < threshold for i, a in enumerate(numbers) for j, b in enumerate(numbers) if i != j)';
    expect((await gradeOutput('code', he, `\`\`\`python\n${full}\n\`\`\``)).correct).toBe(true);
    const wrong = await gradeOutput('code', mbpp, '```python\ndef similar_elements(a, b):\n    return ()\n```');
    expect(wrong).toMatchObject({ correct: false });
    expect(wrong.detail).toMatch(/^assertion: tests: AssertionError \(at tests line 1/);
    expect((await gradeOutput('code', mbpp, 'I cannot solve this.')).correct).toBe(false);
    expect(await gradeOutput('code', mbpp, '')).toMatchObject({ correct: false, predicted: null, detail: 'no code in the output' });
  });
});

describe('malformed lines are reported with file and line', () => {
  const good: Record<BenchmarkFormat, object> = {
    'math-500': MATH_ROWS[0],
    'agieval-math': AGI_ROWS[0],
    aqua: AQUA_ROWS[0],
    gpqa: GPQA_ROWS[0],
    mbpp: MBPP_ROWS[0],
    'humaneval-et': HE_ROWS[0],
  };
  const cases: [BenchmarkFormat, unknown, RegExp][] = [
    ['math-500', '{"problem": "1+1", "answer": 2,', /invalid JSON/],
    ['math-500', { ...MATH_ROWS[0], unique_id: 'other', answer: undefined }, /missing field 'answer'/],
    ['math-500', { ...MATH_ROWS[0], unique_id: 'other', answer: '  ' }, /field 'answer' is empty/],
    ['math-500', { ...MATH_ROWS[0] }, /duplicate id 'test\/precalculus\/807\.json' \(first on line 1\)/],
    ['agieval-math', '[1, 2]', /expected a JSON object/],
    ['agieval-math', { problem: 'x', answer: 5 }, /field 'answer' must be a string/],
    ['aqua', { ...AQUA_ROWS[0], answer: 'F' }, /answer 'F' is not one of the options A, B, C, D, E/],
    ['aqua', { ...AQUA_ROWS[0], options: ['A ) 1', 'C ) 2'] }, /option 2 must start with 'B \)'/],
    ['aqua', { ...AQUA_ROWS[0], options: 'A ) 1' }, /field 'options' must be a list of strings/],
    ['gpqa', { question: 'No options here', answer: 'A' }, /options 'A\. …' to 'D\. …'/],
    ['gpqa', { ...GPQA_ROWS[0], answer: 'E' }, /answer 'E' must be one of A, B, C, D/],
    ['mbpp', { ...MBPP_ROWS[0], task_id: 9, test_list: [] }, /field 'test_list' must have at least 1 entry/],
    ['mbpp', { ...MBPP_ROWS[0], task_id: 9, test_imports: undefined }, /missing field 'test_imports'/],
    ['mbpp', { ...MBPP_ROWS[0], task_id: 9, code: 'def other(x): pass' }, /the tests call no function that 'code' defines/],
    ['humaneval-et', { ...HE_ROWS[0], task_id: 'HumanEval/9', entry_point: 'nope' }, /prompt does not define the entry point 'nope'/],
    ['humaneval-et', { ...HE_ROWS[0], task_id: 'HumanEval/9', test: 'assert True' }, /field 'test' does not define check\(candidate\)/],
    ['humaneval-et', { ...HE_ROWS[0], task_id: 'HumanEval/9', entry_point: 'a b' }, /entry_point 'a b' is not a Python identifier/],
  ];
  test.each(cases.map(([format, bad, reason]) => ({ format, bad, reason, why: reason.source })))('$format: $why', ({ format, bad, reason }) => {
    const f = fixture(`bad-${format}.jsonl`, [good[format], '', bad]);
    let message = '';
    try {
      parseBenchmark(format, f.file, f.bytes);
    } catch (e) {
      expect(e).toBeInstanceOf(DatasetError);
      message = (e as Error).message;
    }
    expect(message).toMatch(new RegExp(`^${f.file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: `));
    expect(message).toMatch(reason);
  });

  test('empty and binary files', () => {
    const empty = fixture('empty.jsonl', []);
    expect(() => parseBenchmark('gpqa', empty.file, Buffer.from('\n\n'))).toThrow(/the dataset has no items/);
    expect(() => parseBenchmark('gpqa', empty.file, Buffer.from([0x7b, 0, 0x7d]))).toThrow(/binary file/);
  });
});

// ---------------------------------------------------------------------------------------------------------
// The real files, when this machine has them (CI machines may not).
// ---------------------------------------------------------------------------------------------------------

const DATA_DIR = process.env.MASPO_DATA_DIR ?? '/work/shared/datasets';
const EXPECTED_COUNTS: Record<BenchmarkFormat, number> = { 'math-500': 500, 'agieval-math': 256, aqua: 254, gpqa: 198, mbpp: 427, 'humaneval-et': 164 };

function real(format: BenchmarkFormat, opts = {}): BenchmarkItem[] | null {
  const file = path.join(DATA_DIR, BENCHMARK_DEFAULT_PATHS[format]);
  if (!existsSync(file)) {
    console.log(`note: ${file} is absent; skipping the real-file checks for ${format}`);
    return null;
  }
  return parseBenchmark(format, file, readFileSync(file), opts);
}

/** Runs `fn` over `xs` with at most `n` in flight. */
async function pool<T, R>(xs: T[], n: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(xs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, xs.length) }, async () => {
      while (next < xs.length) {
        const i = next++;
        out[i] = await fn(xs[i]);
      }
    }),
  );
  return out;
}

/** Every k-th item, so the sample spans the file. */
const spread = <T>(xs: T[], n: number) => xs.filter((_, i) => i % Math.max(1, Math.floor(xs.length / n)) === 0).slice(0, n);

describe('the real benchmark files', () => {
  test.each(Object.entries(EXPECTED_COUNTS) as [BenchmarkFormat, number][])('%s loads all %d items', (format, count) => {
    const items = real(format);
    if (!items) return;
    expect(items).toHaveLength(count);
    expect(new Set(items.map((i) => i.id)).size).toBe(count);
    expect(new Set(items.map((i) => i.grader))).toEqual(new Set([BENCHMARK_GRADERS[format]]));
  });

  test.each(['math-500', 'agieval-math'] as BenchmarkFormat[])('%s: every gold answer is equivalent to itself and graded correct when boxed', async (format) => {
    const items = real(format);
    if (!items) return;
    const failures: string[] = [];
    for (const item of items) {
      if (!mathEquivalent(item.answer, item.answer)) failures.push(`${item.id}: self`);
      if (!(await gradeOutput('math', item, `Solution...\n$\\boxed{${item.answer}}$`)).correct) failures.push(`${item.id}: boxed`);
      if (!(await gradeOutput('math', item, `<answer>${item.answer}</answer>`)).correct) failures.push(`${item.id}: tag`);
    }
    expect(failures).toEqual([]);
  });

  test.each(['aqua', 'gpqa'] as BenchmarkFormat[])('%s: every gold letter is graded correct, every other letter wrong', async (format) => {
    const items = real(format);
    if (!items) return;
    for (const item of items) {
      expect((await gradeOutput('choice', item, `... The answer is (${item.answer}).`)).correct).toBe(true);
      for (const other of item.letters!.replace(item.answer, '')) expect((await gradeOutput('choice', item, `The answer is ${other}.`)).correct).toBe(false);
    }
  });

  // MASPO_FULL_CANONICAL=1 runs every task (slow); by default a spread sample of 20 per benchmark.
  const sampleSize = process.env.MASPO_FULL_CANONICAL === '1' ? Infinity : 20;
  test.each([
    ['mbpp', {}],
    ['humaneval-et', {}],
  ] as [BenchmarkFormat, object][])('%s: canonical solutions pass in the sandbox (sample)', async (format, opts) => {
    const items = real(format, opts);
    if (!items) return;
    const sample = sampleSize === Infinity ? items : spread(items, sampleSize);
    const results = await pool(sample, 4, async (item) => ({ id: item.id, g: await gradeOutput('code', item, `\`\`\`python\n${item.answer}\n\`\`\``) }));
    const failed = results.filter((r) => !r.g.correct).map((r) => `${r.id}: ${r.g.detail}`);
    console.log(`${format}: canonical solutions pass ${results.length - failed.length}/${results.length}${failed.length ? `; failures: ${failed.join('; ')}` : ''}`);
    expect(failed).toEqual([]);
  });
});
