import { coalescing } from '../core/common/coalesce';

/** A server whose calls the test resolves by hand, recording the groups it was given. */
function manualServer() {
  const groups: number[][] = [];
  const pending: Array<() => void> = [];
  const serve = (group: number[]) => {
    groups.push(group);
    return new Promise<number[]>((resolve) => pending.push(() => resolve(group.map((x) => x * 10))));
  };
  const finishNext = async () => {
    pending.shift()!();
    await new Promise((r) => setImmediate(r));
  };
  return { groups, serve, finishNext };
}

describe('coalescing (group-while-busy)', () => {
  test('a request with nothing in flight goes alone; requests that arrive meanwhile go together next', async () => {
    const s = manualServer();
    const call = coalescing(s.serve, 10);
    const first = call(1);
    const rest = [call(2), call(3), call(4)];
    expect(s.groups).toEqual([[1]]);
    await s.finishNext();
    expect(s.groups).toEqual([[1], [2, 3, 4]]);
    await s.finishNext();
    await expect(first).resolves.toBe(10);
    await expect(Promise.all(rest)).resolves.toEqual([20, 30, 40]);
  });

  test('groups never exceed the limit, in arrival order', async () => {
    const s = manualServer();
    const call = coalescing(s.serve, 2);
    const all = [1, 2, 3, 4, 5].map(call);
    await s.finishNext();
    await s.finishNext();
    await s.finishNext();
    expect(s.groups).toEqual([[1], [2, 3], [4, 5]]);
    await expect(Promise.all(all)).resolves.toEqual([10, 20, 30, 40, 50]);
  });

  test('a failed group rejects its own requests only; the next group is still served', async () => {
    let n = 0;
    const call = coalescing(async (group: string[]) => {
      if (n++ === 0) throw new Error('grader down');
      return group.map((g) => g.toUpperCase());
    }, 10);
    const a = call('a');
    const b = call('b');
    await expect(a).rejects.toThrow('grader down');
    await expect(b).resolves.toBe('B');
  });

  test('a server that answers with the wrong number of results rejects the group', async () => {
    const call = coalescing(async () => [], 10);
    await expect(call('x')).rejects.toThrow('1 requests but 0 results');
  });
});
