import { topologicalOrder, topologicalLevels, terminalAgent, validateGraph, descendants, predecessors, GraphError } from '../core/common/graph';

const chain = { agents: ['a', 'b', 'c'], edges: [{ from: 'a', to: 'b' }, { from: 'b', to: 'c' }] };
const hier = { agents: ['math', 'sci', 'code', 'sum'], edges: [{ from: 'math', to: 'sum' }, { from: 'sci', to: 'sum' }, { from: 'code', to: 'sum' }] };

describe('agent graph', () => {
  test('topological order and levels', () => {
    expect(topologicalOrder(chain)).toEqual(['a', 'b', 'c']);
    expect(topologicalLevels(hier)).toEqual([['math', 'sci', 'code'], ['sum']]);
    expect(terminalAgent(hier)).toBe('sum');
    expect(descendants(chain, 'a')).toEqual(['b', 'c']);
    expect(predecessors(hier, 'sum')).toEqual(['math', 'sci', 'code']);
  });

  test('declaration order breaks ties', () => {
    const g = { agents: ['z', 'y', 'x'], edges: [{ from: 'z', to: 'x' }, { from: 'y', to: 'x' }] };
    expect(topologicalOrder(g)).toEqual(['z', 'y', 'x']);
  });

  test.each([
    [{ agents: ['a', 'b'], edges: [{ from: 'a', to: 'b' }, { from: 'b', to: 'a' }] }, /cycle/, 'mas.edges'],
    [{ agents: ['a', 'b'], edges: [{ from: 'a', to: 'q' }] }, /unknown agent 'q'/, 'mas.edges[0].to'],
    [{ agents: ['a', 'b'], edges: [] }, /exactly one terminal agent, found 2/, 'mas.edges'],
    [{ agents: ['a', 'a'], edges: [] }, /duplicate agent id/, 'mas.agents[1].id'],
    [{ agents: ['a'], edges: [{ from: 'a', to: 'a' }] }, /self-loop/, 'mas.edges[0]'],
    [{ agents: [], edges: [] }, /at least one agent/, 'mas.agents'],
  ])('rejects invalid graph %#', (g, message, path) => {
    let err: unknown;
    try {
      validateGraph(g);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GraphError);
    expect((err as GraphError).message).toMatch(message);
    expect((err as GraphError).path).toBe(path);
  });
});
