/**
 * Bad input through the real CLI process (issue 5, scenario 5): every case of fixtures/bad-input-corpus.ts must
 * end with one line naming the file, field or line, exit code 2, no stack trace, and nothing started (no embedded
 * Temporal server; for unknown workflow ids, an empty workflow list on the dev server asked). This is the short
 * version (the cases marked `short`, about 45 s on two free cores); `npm run chaos` runs the whole corpus with the
 * same runner. Cases run two CLI processes at a time.
 */
import { BAD_INPUT_CASES, baseConfig, searchConfig, yamlOf, type BadInputCase } from '../fixtures/bad-input-corpus';
import { judgeAnswer, runBadInputCorpus, type CorpusRun } from '../bench/chaos/bad-input';
import { parseConfigText } from '../client/config';
import { spawnCli } from './support/processes';
import { tempHome } from './support/evaluation';
import { temporalCliForTests } from './support/temporal';

// Without a Temporal CLI (local runs only; CI throws) the cases that need a server are left out.
const cases = BAD_INPUT_CASES.filter((c) => c.short && (!c.needsServer || temporalCliForTests()));
let run: CorpusRun;

beforeAll(async () => {
  run = await runBadInputCorpus({ cases, parallel: 2 });
}, 600_000);

describe('the bad-input corpus', () => {
  test('covers config, datasets and the command line with at least 40 distinct cases', () => {
    const names = BAD_INPUT_CASES.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBeGreaterThanOrEqual(40);
    const groups = (g: BadInputCase['group']) => BAD_INPUT_CASES.filter((c) => c.group === g).length;
    expect(groups('config')).toBeGreaterThanOrEqual(15);
    expect(groups('dataset')).toBeGreaterThanOrEqual(10);
    expect(groups('cli')).toBeGreaterThanOrEqual(10);
    const short = BAD_INPUT_CASES.filter((c) => c.short);
    expect(new Set(short.map((c) => c.group))).toEqual(new Set(['config', 'dataset', 'cli']));
    expect(short.some((c) => c.needsServer)).toBe(true);
  });

  test('starts from valid configs, so each case fails for its own defect', () => {
    expect(parseConfigText('base.yaml', yamlOf(baseConfig)).mas.agents).toHaveLength(2);
    expect(parseConfigText('search.yaml', yamlOf(searchConfig)).optimize?.beamWidth).toBe(2);
  });

  test('the judge refuses multi-line answers, stack traces, output on stdout, wrong exit codes and other messages', () => {
    const c: BadInputCase = { name: 'x', group: 'cli', args: () => [], expect: /x\.yaml: seed: / };
    const ok = { code: 2, stdout: '', stderr: 'maspo: x.yaml: seed: expected number\n', timedOut: false };
    expect(judgeAnswer(c, ok)).toEqual([]);
    expect(judgeAnswer(c, { ...ok, code: 1 })).toEqual(['exit code 1, expected 2']);
    expect(judgeAnswer(c, { ...ok, stdout: 'started run-1\n' })).toHaveLength(1);
    expect(judgeAnswer(c, { ...ok, stderr: 'connecting to Temporal at 127.0.0.1:7233, namespace default\nmaspo: x.yaml: seed: bad\n' })).toHaveLength(1);
    expect(judgeAnswer({ ...c, needsServer: true }, { ...ok, stderr: 'connecting to Temporal at 127.0.0.1:7233, namespace default\nmaspo: x.yaml: seed: bad\n' })).toEqual([]);
    expect(judgeAnswer(c, { ...ok, stderr: 'maspo: x.yaml: seed: bad\n    at parse (/work/client/config.ts:40:11)\n' }).join()).toMatch(/stack trace/);
    expect(judgeAnswer(c, { ...ok, stderr: 'maspo: Cannot read properties of undefined\n' }).join()).toMatch(/does not match/);
    expect(judgeAnswer(c, { ...ok, code: null, timedOut: true }).join()).toMatch(/no answer within/);
  });

  test.each(cases.map((c) => [c.group, c.name] as const))('%s: %s', (_group, name) => {
    const result = run.results.find((r) => r.name === name)!;
    expect({ name, problems: result.problems }).toEqual({ name, problems: [] });
  });

  test('no workflow was started on the dev server', () => {
    expect(run.workflowsOnServer).toBe(0);
  });
});

test('--help works on every command', async () => {
  const home = tempHome();
  const commands = [['--help'], ['evaluate', '--help'], ['worker', '--help'], ['server', '--help'], ['status', '--help'], ['sim', 'serve', '--help'], ['setup', '--help'], ['optimize', '--help'], ['plan', '--help'], ['compare', '--help'], ['result', '--help'], ['pause', '--help']];
  for (let i = 0; i < commands.length; i += 2) {
    const procs = commands.slice(i, i + 2).map((args) => spawnCli(args, { ...process.env, MASPO_HOME: home }));
    for (const proc of procs) {
      expect(await proc.exited).toBe(0);
      expect(proc.output()).toMatch(/Usage: maspo/);
    }
  }
}, 120_000);
