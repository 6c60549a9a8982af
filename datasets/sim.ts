/** Items of the simulated world: generated from a seed, never shipped as data (see sim/README.md). */
import { generateTasks } from '../sim/tasks';
import { SimWorldSchema } from '../core/schema/sim-config';
import type { DatasetItem } from './jsonl';

export function simItems(ref: { split: 'train' | 'test'; size: number; seed: number; world: Record<string, unknown> }): DatasetItem[] {
  const world = SimWorldSchema.parse(ref.world);
  return generateTasks({ world, seed: ref.seed, split: ref.split, size: ref.size }).map((t) => ({
    id: t.id,
    question: t.question,
    answer: String(t.answer),
  }));
}
