import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { runInSandbox, sandboxIsolation, type SandboxIsolation, type SandboxProgram } from '../activities/graders/code-sandbox';
import { gradeCode } from '../activities/graders/code';
import type { CodeTask } from '../core/grading/code-program';

const TESTS = 'assert f(1) == 2';
const run = (program: string, wallMs = 5000, tests = TESTS) => runInSandbox({ prelude: '', program, tests }, { wallMs });

/** Live (non-zombie) processes owned by `uid` (from /proc); a killed process may linger as a zombie until reaped. */
function processesOf(uid: number): number[] {
  const pids: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const status = readFileSync(`/proc/${d}/status`, 'utf8');
      const m = /^Uid:\s+(\d+)/m.exec(status);
      if (m && Number(m[1]) === uid && !/^State:\s+Z/m.test(status)) pids.push(Number(d));
    } catch {
      /* exited meanwhile */
    }
  }
  return pids;
}

let iso: SandboxIsolation;

beforeAll(async () => {
  iso = await sandboxIsolation();
  console.log(`code sandbox on this host:\n  ${iso.notes.join('\n  ')}`);
});

describe('code sandbox: outcomes', () => {
  test('a correct program passes', async () => {
    const r = await run('def f(x):\n    return x + 1');
    expect(r).toMatchObject({ passed: true, reason: 'passed' });
  });

  test('a wrong answer is an assertion failure naming the test line', async () => {
    const r = await run('def f(x):\n    return x', 5000, 'assert f(0) == 1 or True\nassert f(1) == 2');
    expect(r).toMatchObject({ passed: false, reason: 'assertion' });
    expect(r.message).toContain('tests line 2: assert f(1) == 2');
  });

  test('a syntax error in the program is reported as syntax', async () => {
    const r = await run('def f(x)\n    return x');
    expect(r).toMatchObject({ passed: false, reason: 'syntax' });
    expect(r.message).toMatch(/^program: SyntaxError/);
  });

  test('an exception is a crash with the program line', async () => {
    const r = await run('def f(x):\n    return x / 0');
    expect(r).toMatchObject({ passed: false, reason: 'crash' });
    expect(r.message).toContain('ZeroDivisionError');
  });

  test('an infinite loop times out on the wall clock', async () => {
    const t = Date.now();
    const r = await run('def f(x):\n    while True:\n        pass', 1500);
    expect(r).toMatchObject({ passed: false, reason: 'timeout' });
    expect(Date.now() - t).toBeLessThan(5000);
  });

  test('a 10 GB allocation and a growing list both hit the memory limit', async () => {
    expect(await run('def f(x):\n    b = bytearray(10 * 1024**3)\n    return x + 1')).toMatchObject({ passed: false, reason: 'memory' });
    expect(await run('def f(x):\n    xs = []\n    while True:\n        xs.append(bytearray(50 * 2**20))')).toMatchObject({ passed: false, reason: 'memory' });
  });

  test('exiting early cannot fake a pass', async () => {
    expect(await run('import sys\nsys.exit(0)')).toMatchObject({ passed: false, reason: 'crash' });
    expect(await run('import os\nos._exit(0)')).toMatchObject({ passed: false, reason: 'crash' });
    expect(await run('def f(x):\n    raise SystemExit(0)')).toMatchObject({ passed: false, reason: 'crash' });
  });

  test('input() sees end of file instead of hanging', async () => {
    expect(await run('def f(x):\n    return int(input()) + x', 3000)).toMatchObject({ passed: false, reason: 'crash' });
  });

  test('output floods are capped', async () => {
    const r = await run("for _ in range(50):\n    print('x' * 100_000)\ndef f(x):\n    return x + 1");
    expect(r.passed).toBe(true);
    expect(r.stdout.length).toBeLessThanOrEqual(1500);
  });
});

describe('the code grader runs only the definitions (EvalPlus-style sanitizing of a reply)', () => {
  const mbpp: CodeTask = { style: 'mbpp', entryPoint: 'f', prelude: '', tests: 'assert f(1) == 2' };
  const reply = (code: string) => `Here is the solution:\n\n\`\`\`python\n${code}\n\`\`\`\n`;

  test('a usage demo that crashes or never ends does not fail a correct function; the dropped statements are counted', async () => {
    const crashing = await gradeCode(mbpp, reply('def f(x):\n    return x + 1\n\n# Example usage:\nprint(f([1, 2]))'));
    expect(crashing).toMatchObject({ correct: true });
    expect(crashing.detail).toBe('passed (1 top-level demo statement not run)');
    const endless = await gradeCode(mbpp, reply('def f(x):\n    return x + 1\n\nwhile True:\n    print(f(0))'), { wallMs: 3000 });
    expect(endless.correct).toBe(true);
    const inventedAssert = await gradeCode(mbpp, reply('def f(x):\n    return x + 1\n\nassert f(5) == 7  # wrong, invented'));
    expect(inventedAssert.correct).toBe(true);
  });

  test('imports, decorators, classes and the globals the functions read are kept; unused top-level calls are not', async () => {
    const program = [
      'import math',
      'from functools import lru_cache',
      'OFFSET = 1',
      'unused = print("demo")',
      'class Box:',
      '    k = 0',
      '@lru_cache(None)',
      'def f(x):',
      '    return int(math.floor(x)) + OFFSET + Box.k',
      'if __name__ == "__main__":',
      '    raise SystemExit(f(1))',
    ].join('\n');
    const g = await gradeCode(mbpp, reply(program));
    expect(g).toMatchObject({ correct: true });
    expect(g.detail).toBe('passed (2 top-level demo statements not run)');
  });

  test('a wrong function still fails, a program that does not parse is run as written (a syntax verdict), and exit() at top level cannot pass', async () => {
    expect((await gradeCode(mbpp, reply('def f(x):\n    return x\nprint(f(1))'))).result).toMatchObject({ reason: 'assertion' });
    expect((await gradeCode(mbpp, reply('def f(x):\n    return x +\n'))).result).toMatchObject({ reason: 'syntax' });
    expect((await gradeCode(mbpp, reply('import sys\nsys.exit(0)'))).correct).toBe(false);
  });
});

describe('code sandbox: containment', () => {
  test('secrets in the worker environment are not visible, not even through /proc', async () => {
    const marker = `maspo-secret-${randomBytes(6).toString('hex')}`;
    process.env.MASPO_TEST_SECRET = marker;
    try {
      const program = [
        'import os, glob',
        'print(sorted(os.environ))',
        'def f(x):',
        `    assert not any('${marker}' in v for v in os.environ.values())`,
        "    assert set(os.environ) <= {'LC_CTYPE'}, sorted(os.environ)  # Python's own C-locale coercion",
        "    for p in glob.glob('/proc/*/environ'):",
        '        try:',
        "            data = open(p, 'rb').read()",
        '        except OSError:',
        '            continue',
        `        assert b'${marker}' not in data, p`,
        '    return x + 1',
      ].join('\n');
      const r = await run(program);
      expect(r.message).toBe('');
      expect(r).toMatchObject({ passed: true });
      expect(r.stdout).not.toContain(marker);
    } finally {
      delete process.env.MASPO_TEST_SECRET;
    }
  });

  test('the working directory is a fresh, empty temp dir, removed afterwards', async () => {
    const r = await run("import os\nprint(os.getcwd())\nprint(os.listdir('.'))\nopen('scratch.txt', 'w').write('ok')\nos.mkdir('sub')\nos.chmod('sub', 0)\ndef f(x):\n    return x + 1");
    expect(r.passed).toBe(true);
    const [cwd, listing] = r.stdout.trim().split('\n');
    expect(cwd).toBe(r.workDir);
    expect(path.dirname(cwd)).toBe(tmpdir());
    expect(path.basename(cwd)).toMatch(/^maspo-sbx-/);
    expect(listing).toBe('[]');
    expect(existsSync(r.workDir)).toBe(false);
  });

  test('writing outside the temp dir fails', async () => {
    const name = `maspo-escape-${randomBytes(6).toString('hex')}`;
    const targets = [path.join(tmpdir(), name), path.join(process.cwd(), name)];
    const program = `def f(x):\n${targets.map((t) => `    open(${JSON.stringify(t)}, 'w').write('x')`).join('\n')}\n    return x + 1`;
    const r = await run(program);
    for (const t of targets) expect(existsSync(t)).toBe(false);
    expect(r).toMatchObject({ passed: false, reason: 'crash' });
    expect(r.message).toMatch(/Read-only file system|Permission denied/);
    if (!iso.readOnlyFs) console.log('note: no read-only file system on this host; only file permissions protect the worker');
  });

  test('a fork bomb is contained: the run fails, no process survives, the next run works', async () => {
    const t = Date.now();
    const r = await run('import os\ndef f(x):\n    while True:\n        try:\n            os.fork()\n        except OSError:\n            pass', 2000);
    expect(r.passed).toBe(false);
    expect(['timeout', 'crash']).toContain(r.reason);
    expect(Date.now() - t).toBeLessThan(8000);
    if (r.uid !== undefined) {
      await new Promise((res) => setTimeout(res, 200));
      expect(processesOf(r.uid)).toEqual([]);
    }
    expect(await run('def f(x):\n    return x + 1')).toMatchObject({ passed: true });
  });

  test('a background child that leaves the process group dies with the run', async () => {
    const marker = randomBytes(6).toString('hex');
    const program = [
      'import os, time',
      'if os.fork() == 0:',
      '    os.setsid()',
      `    time.sleep(30)  # ${marker}`,
      '    os._exit(0)',
      'def f(x):',
      '    return x + 1',
    ].join('\n');
    const r = await run(program);
    expect(r.passed).toBe(true);
    await new Promise((res) => setTimeout(res, 200));
    if (r.uid !== undefined) expect(processesOf(r.uid)).toEqual([]);
    else if (!iso.pidNamespace) console.log('note: no PID namespace and no uid drop here; a setsid() child could outlive the run');
  });

  test('no network: connecting to a server on the worker host fails', async () => {
    if (!iso.network) {
      console.log('note: network namespaces are unavailable on this host; skipping the network isolation check');
      return;
    }
    let connections = 0;
    const server: Server = createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
    const port = (server.address() as { port: number }).port;
    try {
      const program = [
        'import socket',
        'def f(x):',
        '    try:',
        `        socket.create_connection(('127.0.0.1', ${port}), timeout=2).close()`,
        "        return 'connected'",
        '    except OSError:',
        '        return x + 1',
      ].join('\n');
      expect(await run(program)).toMatchObject({ passed: true });
      expect(connections).toBe(0);
    } finally {
      server.close();
    }
  });
});

describe('code sandbox: fallback without namespaces', () => {
  test('still empty env, temp dir and limits; the notes say what is missing', async () => {
    const previous = process.env.MASPO_SANDBOX_NAMESPACES;
    process.env.MASPO_SANDBOX_NAMESPACES = '0';
    try {
      let mod!: typeof import('../activities/graders/code-sandbox');
      jest.isolateModules(() => {
        mod = require('../activities/graders/code-sandbox');
      });
      const fallback = await mod.sandboxIsolation();
      expect(fallback).toMatchObject({ network: false, pidNamespace: false, readOnlyFs: false });
      expect(fallback.notes[0]).toMatch(/NOT isolated/);
      const prog: SandboxProgram = { prelude: '', program: "import os\ndef f(x):\n    assert 'MASPO_SANDBOX_NAMESPACES' not in os.environ\n    return x + 1", tests: TESTS };
      expect(await mod.runInSandbox(prog)).toMatchObject({ passed: true });
      expect(await mod.runInSandbox({ ...prog, program: 'def f(x):\n    while True: pass' }, { wallMs: 1000 })).toMatchObject({ reason: 'timeout' });
    } finally {
      if (previous === undefined) delete process.env.MASPO_SANDBOX_NAMESPACES;
      else process.env.MASPO_SANDBOX_NAMESPACES = previous;
    }
  });
});
