import { expandPreset, PRESETS, PRESET_TASKS, type Preset, type PresetTask } from '../core/schema/topologies';
import { predecessors, successors, validateGraph } from '../core/common/graph';
import { checkTemplate } from '../core/common/template';
import { parseConfigText, ConfigError } from '../client/config';

const cases = PRESETS.flatMap((preset) => PRESET_TASKS.map((task) => [preset, task] as [Preset, PresetTask]));

function terminals(mas: ReturnType<typeof expandPreset>): string[] {
  const g = { agents: mas.agents.map((a) => a.id), edges: mas.edges };
  return g.agents.filter((a) => successors(g, a).length === 0);
}

function edgeList(mas: ReturnType<typeof expandPreset>): string[] {
  return mas.edges.map((e) => `${e.from}->${e.to}`);
}

describe('expandPreset', () => {
  test.each(cases)('%s × %s: valid graph, one terminal, prompts pass checkTemplate', (preset, task) => {
    const mas = expandPreset({ preset, task });
    const g = { agents: mas.agents.map((a) => a.id), edges: mas.edges };
    expect(() => validateGraph(g)).not.toThrow();
    expect(terminals(mas)).toHaveLength(1);
    expect(mas.topology).toBe(preset);
    for (const a of mas.agents) {
      expect(checkTemplate(a.prompt, predecessors(g, a.id).length > 0)).toEqual([]);
      expect(a.role).not.toBe('');
      expect(a.description).toBeTruthy();
      // every agent that answers states the task's output format (the summarizer only restates the question)
      if (a.role === 'summarizer') expect(a.prompt).toMatch(/Do not solve it/);
      else if (task === 'code') expect(a.prompt).toContain('```python');
      else expect(a.prompt).toContain('<answer></answer>');
    }
  });

  test('task-specific wording: choice does not hard-code option letters', () => {
    for (const preset of PRESETS) {
      for (const a of expandPreset({ preset, task: 'choice' }).agents) {
        expect(a.prompt).not.toMatch(/\bA[-–,]\s*[BD]\b|A through D|A to D/);
        expect(a.prompt).toMatch(/letter/);
      }
    }
  });

  test('chain: predictor → reflector; rounds give P→R→P→R…', () => {
    const one = expandPreset({ preset: 'chain', task: 'math' });
    expect(one.agents.map((a) => [a.id, a.role])).toEqual([['predictor', 'predictor'], ['reflector', 'reflector']]);
    expect(edgeList(one)).toEqual(['predictor->reflector']);
    const three = expandPreset({ preset: 'chain', task: 'math', rounds: 3 });
    expect(three.agents.map((a) => a.id)).toEqual(['predictor1', 'reflector1', 'predictor2', 'reflector2', 'predictor3', 'reflector3']);
    expect(edgeList(three).sort()).toEqual(
      ['predictor1->reflector1', 'reflector1->predictor2', 'predictor2->reflector2', 'reflector2->predictor3', 'predictor3->reflector3'].sort(),
    );
    expect(terminals(three)).toEqual(['reflector3']);
    expect(three.agents[2].prompt).toContain('{{context}}');
    expect(three.agents[0].prompt).not.toContain('{{context}}');
  });

  test('summarize: summarizer → predictor', () => {
    const mas = expandPreset({ preset: 'summarize', task: 'choice' });
    expect(mas.agents.map((a) => a.role)).toEqual(['summarizer', 'predictor']);
    expect(edgeList(mas)).toEqual(['summarizer->predictor']);
  });

  test('debate: two predictors with different prompts → debator', () => {
    for (const task of PRESET_TASKS) {
      const mas = expandPreset({ preset: 'debate', task });
      expect(mas.agents.map((a) => a.role)).toEqual(['predictor', 'predictor', 'debator']);
      expect(edgeList(mas)).toEqual(['predictor_a->debator', 'predictor_b->debator']);
      expect(mas.agents[0].prompt).not.toBe(mas.agents[1].prompt);
    }
  });

  test('llm-aggregator: n predictors (default 3) → aggregator', () => {
    const def = expandPreset({ preset: 'llm-aggregator', task: 'math' });
    expect(def.agents.map((a) => a.id)).toEqual(['predictor1', 'predictor2', 'predictor3', 'aggregator']);
    expect(edgeList(def)).toEqual(['predictor1->aggregator', 'predictor2->aggregator', 'predictor3->aggregator']);
    expect(new Set(def.agents.slice(0, 3).map((a) => a.prompt)).size).toBe(3);
    const five = expandPreset({ preset: 'llm-aggregator', task: 'code', agents: 5 });
    expect(five.agents).toHaveLength(6);
    expect(five.edges).toHaveLength(5);
    expect(terminals(five)).toEqual(['aggregator']);
  });

  test('debate-aggregator: 2 predictors → debator → aggregator', () => {
    const mas = expandPreset({ preset: 'debate-aggregator', task: 'math' });
    expect(mas.agents.map((a) => a.role)).toEqual(['predictor', 'predictor', 'debator', 'aggregator']);
    expect(edgeList(mas)).toEqual(['predictor_a->debator', 'predictor_b->debator', 'debator->aggregator']);
  });

  test('hierarchical: math, science, code → task summarizer', () => {
    const mas = expandPreset({ preset: 'hierarchical', task: 'code' });
    expect(mas.agents.map((a) => [a.id, a.role])).toEqual([
      ['math', 'math-agent'],
      ['science', 'science-agent'],
      ['code', 'code-agent'],
      ['summarizer', 'task-summarizer'],
    ]);
    expect(edgeList(mas)).toEqual(['math->summarizer', 'science->summarizer', 'code->summarizer']);
  });

  test('bad options throw', () => {
    expect(() => expandPreset({ preset: 'star' as Preset, task: 'math' })).toThrow(/unknown preset 'star'/);
    expect(() => expandPreset({ preset: 'chain', task: 'essay' as PresetTask })).toThrow(/unknown task/);
    expect(() => expandPreset({ preset: 'chain', task: 'math', agents: 2 })).toThrow(/agents only applies/);
    expect(() => expandPreset({ preset: 'debate', task: 'math', rounds: 2 })).toThrow(/rounds only applies/);
    expect(() => expandPreset({ preset: 'chain', task: 'math', rounds: 0 })).toThrow(/rounds must be/);
  });

  test('returns fresh objects (callers may mutate)', () => {
    const a = expandPreset({ preset: 'debate', task: 'math' });
    a.agents[0].prompt = 'changed {{question}}';
    expect(expandPreset({ preset: 'debate', task: 'math' }).agents[0].prompt).not.toBe('changed {{question}}');
  });
});

describe('preset form in the config', () => {
  const config = (mas: string) => `dataset: { kind: sim, size: 5 }\nmas: ${mas}\nmodels:\n  backbone: { provider: sim, model: sim-agent }\n`;
  function errorOf(text: string): string {
    try {
      parseConfigText('run.yaml', text);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as Error).message;
    }
    throw new Error('expected a ConfigError');
  }

  test('a preset parses into the explicit form', () => {
    const c = parseConfigText('run.yaml', config('{ preset: debate, task: math }'));
    expect(c.mas).toEqual({ ...expandPreset({ preset: 'debate', task: 'math' }), summaryWords: 30 });
  });

  test('options and overrides apply', () => {
    const c = parseConfigText(
      'run.yaml',
      config('{ preset: llm-aggregator, task: choice, agents: 2, overrides: { aggregator: { prompt: "Pick one of {{context}} for {{question}}", description: "picker" } } }'),
    );
    expect(c.mas.agents.map((a) => a.id)).toEqual(['predictor1', 'predictor2', 'aggregator']);
    expect(c.mas.agents[2]).toMatchObject({ prompt: 'Pick one of {{context}} for {{question}}', description: 'picker', role: 'aggregator' });
    expect(parseConfigText('run.yaml', config('{ preset: chain, task: math, rounds: 2 }')).mas.agents).toHaveLength(4);
  });

  test('the explicit form still works', () => {
    const c = parseConfigText('run.yaml', config('{ agents: [{ id: a, prompt: "{{question}}" }] }'));
    expect(c.mas).toEqual({ topology: 'dag', agents: [{ id: 'a', role: 'agent', prompt: '{{question}}' }], edges: [], summaryWords: 30 });
  });

  test.each([
    ['unknown preset', '{ preset: star, task: math }', /^run\.yaml: mas\.preset: Invalid option/],
    ['unknown task', '{ preset: chain, task: essay }', /^run\.yaml: mas\.task: /],
    ['missing task', '{ preset: chain }', /^run\.yaml: mas\.task: /],
    ['unknown override agent', '{ preset: debate, task: math, overrides: { judge: { prompt: "{{question}}" } } }', /^run\.yaml: mas\.overrides\.judge: preset 'debate' has no agent 'judge' \(its agents: predictor_a, predictor_b, debator\)/],
    ['override prompt without context', '{ preset: debate, task: math, overrides: { debator: { prompt: "Decide {{question}}" } } }', /^run\.yaml: mas\.overrides\.debator\.prompt: agent 'debator': .*\{\{context\}\}/],
    ['override unknown field', '{ preset: debate, task: math, overrides: { debator: { role: x } } }', /^run\.yaml: mas\.overrides\.debator: unknown field 'role'/],
    ['agents on the wrong preset', '{ preset: debate, task: math, agents: 4 }', /^run\.yaml: mas\.agents: only applies to preset llm-aggregator/],
    ['rounds on the wrong preset', '{ preset: debate, task: math, rounds: 2 }', /^run\.yaml: mas\.rounds: only applies to preset chain/],
    ['rounds out of range', '{ preset: chain, task: math, rounds: 0 }', /^run\.yaml: mas\.rounds: /],
    ['mixing the forms', '{ preset: chain, task: math, edges: [] }', /^run\.yaml: mas: unknown field 'edges'/],
  ])('%s → field error', (_name, mas, message) => {
    expect(errorOf(config(mas))).toMatch(message);
  });
});
