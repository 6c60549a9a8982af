/**
 * Loaders for the paper's six benchmark files, in the field layout of the files themselves (see
 * docs/maspo-reference-study.md §7). Each line becomes an item `{ id, question, answer, grader, … }`:
 *   - agents see only `question` (for code: the task text and the function signature, never the tests);
 *   - `answer` is the gold answer (for code: the reference solution, which the tests must accept);
 *   - `letters` bounds multiple-choice answers (AQuA A–E, GPQA A–D); `code` carries what the sandbox needs.
 * Every line is validated; the first problem is reported as `<file>:<line>: <reason>` and rejects the file.
 */
import type { BenchmarkFormat, HumanEvalTests } from '../core/contracts/dataset';
import { mbppTarget, type CodeTask } from '../core/grading/code-program';
import { DatasetError } from './errors';
import type { DatasetItem } from './jsonl';

export interface BenchmarkItem extends DatasetItem {
  grader: 'math' | 'choice' | 'code';
  /** Allowed option letters, e.g. `ABCDE`. */
  letters?: string;
  /** Option texts as shown in the question. */
  options?: string[];
  code?: CodeTask;
}

export interface BenchmarkOptions {
  /** Keep only the first N items (every line is still validated). */
  limit?: number;
  /** HumanEval-ET: the original `check()` tests (default) or the extended `test_list` asserts. */
  tests?: HumanEvalTests;
}

type Row = Record<string, unknown>;

/** Where a line's problem is reported. */
class At {
  constructor(
    readonly path: string,
    readonly line: number,
  ) {}
  fail(reason: string): never {
    throw new DatasetError(`${this.path}:${this.line}: ${reason}`);
  }
  text(row: Row, field: string): string {
    const v = row[field];
    if (v === undefined || v === null) this.fail(`missing field '${field}'`);
    if (typeof v !== 'string') this.fail(`field '${field}' must be a string`);
    if (v.trim() === '') this.fail(`field '${field}' is empty`);
    return v;
  }
  strings(row: Row, field: string, minLength: number): string[] {
    const v = row[field];
    if (v === undefined || v === null) this.fail(`missing field '${field}'`);
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) this.fail(`field '${field}' must be a list of strings`);
    if (v.length < minLength) this.fail(`field '${field}' must have at least ${minLength} entr${minLength === 1 ? 'y' : 'ies'}`);
    return v as string[];
  }
}

type LineParser = (row: Row, at: At, opts: BenchmarkOptions) => Omit<BenchmarkItem, 'id'> & { id?: string };

const PARSERS: Record<BenchmarkFormat, LineParser> = {
  'math-500': (row, at) => ({ id: at.text(row, 'unique_id'), question: at.text(row, 'problem'), answer: at.text(row, 'answer'), grader: 'math' }),
  'agieval-math': (row, at) => ({ question: at.text(row, 'problem'), answer: at.text(row, 'answer'), grader: 'math' }),
  aqua: (row, at) => {
    const options = at.strings(row, 'options', 2);
    const letters = options.map((o, i) => {
      const m = /^\s*\(?([A-Z])\s*\)/.exec(o);
      if (!m || m[1] !== String.fromCharCode(65 + i)) return at.fail(`option ${i + 1} must start with '${String.fromCharCode(65 + i)} )'`);
      return m[1];
    });
    const answer = at.text(row, 'answer').trim();
    if (!letters.includes(answer)) at.fail(`answer '${answer}' is not one of the options ${letters.join(', ')}`);
    // `problem` is the question followed by its options; fall back to building it when absent.
    const question = typeof row.problem === 'string' && row.problem.trim() ? row.problem : `${at.text(row, 'question')}\nOptions:\n${options.join('\n')}`;
    return { question, answer, grader: 'choice', letters: letters.join(''), options };
  },
  gpqa: (row, at) => {
    const question = at.text(row, 'question');
    const options = [...question.matchAll(/^([A-D])\.\s(.*)$/gm)];
    const letters = options.map((m) => m[1]).join('');
    if (letters !== 'ABCD') at.fail(`question must end with options 'A. …' to 'D. …' on their own lines (found ${letters || 'none'})`);
    const answer = at.text(row, 'answer').trim();
    if (!letters.includes(answer) || answer.length !== 1) at.fail(`answer '${answer}' must be one of A, B, C, D`);
    return { question, answer, grader: 'choice', letters, options: options.map((m) => m[0]) };
  },
  mbpp: (row, at) => {
    const taskId = row.task_id;
    if (typeof taskId !== 'number' && typeof taskId !== 'string') at.fail(`missing field 'task_id'`);
    const prompt = at.text(row, 'prompt');
    const code = at.text(row, 'code');
    const tests = at.strings(row, 'test_list', 1);
    const imports = at.strings(row, 'test_imports', 0);
    const target = mbppTarget(code, tests);
    if (!target) return at.fail(`the tests call no function that 'code' defines`);
    return {
      id: `mbpp/${taskId}`,
      question: `${prompt.trim()}\n\nYour code must define: ${target.signature}`,
      answer: code,
      grader: 'code',
      code: { style: 'mbpp', entryPoint: target.name, prelude: imports.join('\n'), tests: tests.join('\n') },
    };
  },
  'humaneval-et': (row, at, opts) => {
    const id = at.text(row, 'task_id');
    const prompt = at.text(row, 'prompt');
    const entry = at.text(row, 'entry_point');
    const solution = at.text(row, 'canonical_solution');
    if (!/^[A-Za-z_]\w*$/.test(entry)) at.fail(`entry_point '${entry}' is not a Python identifier`);
    if (!new RegExp(`^def\\s+${entry}\\s*\\(`, 'm').test(prompt)) at.fail(`prompt does not define the entry point '${entry}'`);
    let tests: string;
    if (opts.tests === 'et') {
      tests = at.strings(row, 'test_list', 1).join('\n');
    } else {
      const check = at.text(row, 'test');
      if (!/^def\s+check\s*\(/m.test(check)) at.fail(`field 'test' does not define check(candidate)`);
      tests = `${check}\n\ncheck(${entry})\n`;
    }
    return {
      id,
      question: prompt,
      answer: `${prompt}${solution}`,
      grader: 'code',
      code: { style: 'humaneval', entryPoint: entry, prelude: prompt, tests },
    };
  },
};

/** Longest line accepted; longer lines are almost always a broken export or a binary file. */
const MAX_LINE_BYTES = 2_000_000;

/** Parses and validates a whole benchmark file. */
export function parseBenchmark(format: BenchmarkFormat, path: string, bytes: Buffer, opts: BenchmarkOptions = {}): BenchmarkItem[] {
  const parse = PARSERS[format];
  if (!parse) throw new DatasetError(`${path}: unknown benchmark format '${format}'`);
  if (bytes.includes(0)) throw new DatasetError(`${path}: binary file (contains NUL bytes), expected JSON Lines text`);
  const lines = bytes.toString('utf8').split(/\r?\n/);
  const items: BenchmarkItem[] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    const at = new At(path, i + 1);
    if (Buffer.byteLength(line) > MAX_LINE_BYTES) at.fail(`line is longer than ${MAX_LINE_BYTES} bytes`);
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (e) {
      at.fail(`invalid JSON (${(e as Error).message})`);
    }
    if (!row || typeof row !== 'object' || Array.isArray(row)) at.fail('expected a JSON object');
    const parsed = parse(row as Row, at, opts);
    const id = parsed.id ?? `${format}/${i + 1}`;
    if (seen.has(id)) at.fail(`duplicate id '${id}' (first on line ${seen.get(id)})`);
    seen.set(id, i + 1);
    items.push({ ...parsed, id });
  }
  if (items.length === 0) throw new DatasetError(`${path}: the dataset has no items`);
  return opts.limit !== undefined ? items.slice(0, opts.limit) : items;
}
