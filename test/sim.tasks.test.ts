import { defaultSimWorld } from '../core/schema/sim-config';
import { generateTask, generateTasks, splitOf } from '../sim/tasks';
import { findProblem, solveExactly } from '../sim/problem';

describe('simulated tasks', () => {
  const world = defaultSimWorld();

  test('deterministic per (seed, split, index); growing the size keeps earlier items', () => {
    const a = generateTasks({ seed: 3, split: 'train', size: 20, world });
    const b = generateTasks({ seed: 3, split: 'train', size: 50, world });
    expect(b.slice(0, 20)).toEqual(a);
    expect(generateTask(3, 'train', 7, world.tasks)).toEqual(a[7]);
    expect(generateTasks({ seed: 4, split: 'train', size: 20, world })).not.toEqual(a);
  });

  test('the answer is recomputable from the question text alone', () => {
    for (const task of generateTasks({ seed: 11, split: 'test', size: 300, world })) {
      const found = findProblem(`Some preamble.\n\nQuestion: ${task.question}\nReasoning:`);
      expect(found).not.toBeNull();
      expect(found!.text).toBe(task.question);
      expect(solveExactly(found!.problem)).toBe(task.answer);
    }
  });

  test('difficulty knobs bound the steps and the numbers', () => {
    const tasks = generateTasks({ seed: 5, split: 'train', size: 200, minSteps: 2, maxSteps: 3, maxStart: 20, maxValue: 500 });
    for (const t of tasks) {
      const { problem } = findProblem(t.question)!;
      expect(problem.steps.length).toBeGreaterThanOrEqual(2);
      expect(problem.steps.length).toBeLessThanOrEqual(3);
      expect(problem.start).toBeLessThanOrEqual(20);
      let x = problem.start;
      for (const s of problem.steps) {
        x = solveExactly({ ...problem, start: x, steps: [s] });
        expect(Number.isInteger(x)).toBe(true);
        expect(x).toBeGreaterThanOrEqual(1);
        expect(x).toBeLessThanOrEqual(500);
      }
    }
  });

  test.each([0, 1, 42])('train and test are disjoint by construction (seed %i)', (seed) => {
    const train = generateTasks({ seed, split: 'train', size: 1000, world });
    const test = generateTasks({ seed, split: 'test', size: 1000, world });
    const trainText = new Set(train.map((t) => t.question));
    expect(test.filter((t) => trainText.has(t.question))).toEqual([]);
    // Stronger: every item's arithmetic (start and operation sequence) belongs to its own split.
    for (const t of train) expect(splitOf(seed, findProblem(t.question)!.problem)).toBe('train');
    for (const t of test) expect(splitOf(seed, findProblem(t.question)!.problem)).toBe('test');
    expect(new Set(train.map((t) => t.id)).size).toBe(1000);
  });
});
