import { assembleProgram, definesFunction, extractProgram, mbppTarget, type CodeTask } from '../core/grading/code-program';

describe('extractProgram', () => {
  test('takes the python-fenced block that defines the entry point', () => {
    const reply = 'Here is a helper:\n```python\ndef helper():\n    return 1\n```\nAnd the solution:\n```python\ndef solve(x):\n    return helper() + x\n```\nDone.';
    expect(extractProgram(reply, 'solve')).toBe('def solve(x):\n    return helper() + x\n');
    expect(extractProgram(reply, 'helper')).toBe('def helper():\n    return 1\n');
  });

  test('python-tagged fences win over untagged ones; untagged are used when there is nothing else', () => {
    expect(extractProgram('```\nprint(1)\n```\n```py\ndef f():\n  pass\n```')).toBe('def f():\n  pass\n');
    expect(extractProgram('```\ndef f():\n  return 2\n```')).toBe('def f():\n  return 2\n');
  });

  test('an unterminated fence (truncated output) still yields its code', () => {
    expect(extractProgram('```python\ndef f():\n    return 3')).toBe('def f():\n    return 3\n');
  });

  test('without fences: the whole text, minus leading prose', () => {
    expect(extractProgram('def f(x):\n    return x\n')).toBe('def f(x):\n    return x\n');
    expect(extractProgram('Sure! Here it is:\nimport math\ndef f(x):\n    return math.sqrt(x)')).toBe('import math\ndef f(x):\n    return math.sqrt(x)\n');
    expect(extractProgram('    return x + 1\n')).toBe('    return x + 1\n'); // a body-only completion keeps its indentation
  });

  test('an <answer> tag limits the search', () => {
    expect(extractProgram('```python\ndef f(): return 0\n```\n<answer>\n```python\ndef f(): return 1\n```\n</answer>', 'f')).toBe('def f(): return 1\n');
  });
});

describe('assembleProgram', () => {
  const humaneval: CodeTask = {
    style: 'humaneval',
    entryPoint: 'add',
    prelude: 'from typing import List\n\ndef helper(x):\n    return x\n\ndef add(a: int, b: int) -> int:\n    """Add."""\n',
    tests: 'def check(candidate):\n    assert candidate(1, 2) == 3\n\ncheck(add)\n',
  };

  test('HumanEval: a full function runs after the prompt (imports and helpers available)', () => {
    const parts = assembleProgram(humaneval, '```python\ndef add(a, b):\n    return helper(a) + b\n```');
    expect(parts).toEqual({ prelude: humaneval.prelude, program: 'def add(a, b):\n    return helper(a) + b\n', tests: humaneval.tests });
  });

  test('HumanEval: a body-only completion continues the prompt', () => {
    const parts = assembleProgram(humaneval, '    return a + b\n');
    expect(parts.prelude).toBe('');
    expect(parts.program).toBe(`${humaneval.prelude}    return a + b\n`);
  });

  test('MBPP: test imports are the prelude', () => {
    const task: CodeTask = { style: 'mbpp', entryPoint: 'f', prelude: 'import math', tests: 'assert f(4) == 2' };
    expect(assembleProgram(task, 'def f(x):\n    return math.isqrt(x)')).toEqual({ prelude: 'import math', program: 'def f(x):\n    return math.isqrt(x)\n', tests: 'assert f(4) == 2' });
  });

  test('definesFunction is top-level only', () => {
    expect(definesFunction('def f(x):\n  pass', 'f')).toBe(true);
    expect(definesFunction('class A:\n    def f(self): pass', 'f')).toBe(false);
    expect(definesFunction('def ff(x): pass', 'f')).toBe(false);
  });
});

describe('mbppTarget', () => {
  test('the function the tests call, with its signature from the reference code', () => {
    expect(mbppTarget('def similar_elements(test_tup1, test_tup2):\n  return 1', ['assert set(similar_elements((3, 4),(5, 4))) == set((4,))'])).toEqual({
      name: 'similar_elements',
      signature: 'def similar_elements(test_tup1, test_tup2)',
    });
    expect(mbppTarget('import math\ndef helper(n): pass\ndef is_not_prime(n):\n  return helper(n)', ['assert is_not_prime(2) == False'])?.name).toBe('is_not_prime');
    expect(mbppTarget('def g(): pass', ['assert math.isclose(f(1), 2)'])).toBeNull();
  });
});
