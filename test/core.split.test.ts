import { splitPart } from '../core/contracts/dataset';

describe('pool / held-out split of a file dataset', () => {
  test('the two parts are disjoint, cover every item, and depend only on the seed', () => {
    const pool = splitPart(500, { seed: 3, poolSize: 50, part: 'pool' });
    const held = splitPart(500, { seed: 3, poolSize: 50, part: 'held-out' });
    expect(pool).toHaveLength(50);
    expect(held).toHaveLength(450);
    expect(pool.filter((i) => held.includes(i))).toEqual([]);
    expect([...pool, ...held].sort((a, b) => a - b)).toEqual([...Array(500).keys()]);
    expect(splitPart(500, { seed: 3, poolSize: 50, part: 'pool' })).toEqual(pool);
    expect(splitPart(500, { seed: 4, poolSize: 50, part: 'pool' })).not.toEqual(pool);
    expect(pool).toEqual([...pool].sort((a, b) => a - b));
  });

  test('a pool as large as the dataset leaves nothing held out', () => {
    expect(splitPart(10, { seed: 1, poolSize: 10, part: 'held-out' })).toEqual([]);
  });

  test('take: the first N items of the part, in file order (compare --held-out N)', () => {
    const held = splitPart(500, { seed: 3, poolSize: 50, part: 'held-out' });
    expect(splitPart(500, { seed: 3, poolSize: 50, part: 'held-out', take: 60 })).toEqual(held.slice(0, 60));
    expect(splitPart(20, { seed: 3, poolSize: 5, part: 'held-out', take: 100 })).toHaveLength(15);
  });
});
