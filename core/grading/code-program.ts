/**
 * From a model's reply to the three parts the code sandbox runs: the dataset's prelude (imports, prompt
 * helpers), the candidate program, and the dataset's tests. Pure; the sandbox itself lives in activities.
 *
 * Contracts:
 *   - MBPP: prelude = `test_imports`; tests = the `test_list` asserts.
 *   - HumanEval(-ET): prelude = the task `prompt` (its imports, helper functions and the entry point's stub —
 *     a signature with only a docstring is valid Python), so a candidate that redefines just the entry point
 *     still sees `from typing import List` and the helpers; a reply that is only the function body (like the
 *     dataset's `canonical_solution`) is appended to the prompt instead. Tests = `test` + `check(<entry>)`, or
 *     the extended `test_list` asserts.
 */

export interface CodeTask {
  style: 'mbpp' | 'humaneval';
  /** The function the tests call. */
  entryPoint: string;
  /** Run before the candidate: MBPP `test_imports`, HumanEval the task prompt. */
  prelude: string;
  /** Run after the candidate. */
  tests: string;
}

export interface ProgramParts {
  prelude: string;
  program: string;
  tests: string;
}

const FENCE = /```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n([\s\S]*?)(?:\n[ \t]*```|$)/g;
const PYTHON_TAGS = new Set(['python', 'py', 'python3', 'py3']);

/**
 * The program in a model reply: the content of an `<answer>` tag when present, then the ```python fenced
 * block (the last one defining `entryPoint`, else the last with a `def`, else the last); untagged fences when
 * there is no python-tagged one; otherwise the whole text, minus leading prose before the first line that
 * starts Python code (`def`, `import`, `from`, `class`, `@`).
 */
export function extractProgram(reply: string, entryPoint?: string): string {
  const tag = [...reply.matchAll(/<answer>([\s\S]*?)<\/answer>/gi)].pop();
  const text = tag ? tag[1] : reply;
  const blocks = [...text.matchAll(FENCE)].map((m) => ({ lang: m[1].toLowerCase(), body: m[2] }));
  const python = blocks.filter((b) => PYTHON_TAGS.has(b.lang));
  const pool = python.length ? python : blocks.filter((b) => b.lang === '');
  if (pool.length) {
    const defines = entryPoint ? pool.filter((b) => definesFunction(b.body, entryPoint)) : [];
    const withDef = pool.filter((b) => /^\s*(?:async\s+)?def\s/m.test(b.body));
    return (defines.pop() ?? withDef.pop() ?? pool[pool.length - 1]).body.replace(/\s+$/, '') + '\n';
  }
  return stripLeadingProse(text).replace(/\s+$/, '') + '\n';
}

function stripLeadingProse(text: string): string {
  const lines = text.replace(/^\s*\n/, '').split('\n');
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0) return '';
  const looksLikeCode = (l: string) => /^(?:def |async def |import |from \S+ import |class |@|#|if __name__)/.test(l) || /^\s+\S/.test(l);
  if (looksLikeCode(lines[first])) return lines.slice(first).join('\n');
  const start = lines.findIndex((l) => /^(?:def |async def |import |from \S+ import |class |@)/.test(l));
  return start >= 0 ? lines.slice(start).join('\n') : text;
}

/** Whether `source` defines `name` at top level. */
export function definesFunction(source: string, name: string): boolean {
  return new RegExp(`^(?:async\\s+)?def\\s+${escapeRegExp(name)}\\s*\\(`, 'm').test(source);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The sandbox input for a reply to a code task. */
export function assembleProgram(task: CodeTask, reply: string): ProgramParts {
  const program = extractProgram(reply, task.entryPoint);
  if (task.style === 'humaneval' && !definesFunction(program, task.entryPoint)) {
    // A body-only completion continues the prompt's signature and docstring.
    return { prelude: '', program: `${task.prelude}${task.prelude.endsWith('\n') ? '' : '\n'}${program}`, tests: task.tests };
  }
  return { prelude: task.prelude, program, tests: task.tests };
}

const NOT_TARGETS = new Set(
  (
    'set sorted len abs round str list tuple dict int float bool all any isinstance math range sum min max map filter zip enumerate ' +
    'type repr print frozenset reversed isclose assert not and or in is lambda'
  ).split(' '),
);

/**
 * The function an MBPP item's tests exercise and its signature from the reference code, e.g.
 * `{ name: 'similar_elements', signature: 'def similar_elements(test_tup1, test_tup2)' }`; null when the
 * tests call no function the code defines. Names of builtins (`set`, `sorted`, …) are considered last, since
 * a few tasks do define functions that shadow them (MBPP 126 defines `sum`).
 */
export function mbppTarget(code: string, tests: string[]): { name: string; signature: string } | null {
  const calls = tests.flatMap((t) => [...t.matchAll(/(?<![.\w])([A-Za-z_]\w*)\s*\(/g)].map((m) => m[1]));
  const ordered = [...calls.filter((n) => !NOT_TARGETS.has(n)), ...calls.filter((n) => NOT_TARGETS.has(n))];
  for (const name of ordered) {
    const def = new RegExp(`^(?:async\\s+)?def\\s+${escapeRegExp(name)}\\s*\\(([^)]*)\\)`, 'm').exec(code);
    if (def) return { name, signature: `def ${name}(${def[1].replace(/\s*\n\s*/g, ' ').trim()})` };
  }
  return null;
}
