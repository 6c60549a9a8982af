/**
 * Activities of the evaluation job that are not LLM calls: describing and loading dataset items and
 * grading final answers. Items are loaded from the dataset reference on the worker (cached in memory by
 * reference), so workflow histories carry indices and questions, never whole files.
 */
import { ApplicationFailure } from '@temporalio/common';
import { datasetGrader, splitPart, type DatasetRef, type ItemView } from '../core/contracts/dataset';
import type { GradeRequest, GradeResult } from '../core/contracts/evaluate';
import { parseBenchmark, type BenchmarkItem } from '../datasets/benchmarks';
import { DatasetError } from '../datasets/errors';
import { parseJsonl, readDatasetFile, type DatasetItem } from '../datasets/jsonl';
import { simItems } from '../datasets/sim';
import { gradeOutput } from './graders/grade';
import { mapBounded } from '../core/common/bounded';

/** A loaded item: plain items from sim/jsonl datasets, or benchmark items that carry their grader. */
export type LoadedItem = DatasetItem | BenchmarkItem;

/** Loads every item of a dataset reference; throws `DatasetError` with file and line on bad input. */
export async function loadDatasetItems(ref: DatasetRef): Promise<LoadedItem[]> {
  if (ref.kind === 'sim') return simItems(ref);
  const { bytes, digest } = await readDatasetFile(ref.path);
  if (digest !== ref.digest) {
    throw new DatasetError(`${ref.path}: the file changed after the evaluation started (sha256 ${digest.slice(0, 12)} ≠ ${ref.digest.slice(0, 12)})`);
  }
  const all = ref.kind === 'benchmark' ? parseBenchmark(ref.format, ref.path, bytes, { limit: ref.limit, tests: ref.tests }) : parseJsonl(ref.path, bytes, ref.fields, ref.limit);
  return ref.split ? splitPart(all.length, ref.split).map((i) => all[i]) : all;
}

export function createEvaluationActivities() {
  const loaded = new Map<string, Promise<LoadedItem[]>>();

  async function items(ref: DatasetRef): Promise<LoadedItem[]> {
    const key = JSON.stringify(ref);
    let p = loaded.get(key);
    if (!p) {
      p = loadDatasetItems(ref);
      loaded.set(key, p);
      p.catch(() => loaded.delete(key));
    }
    try {
      return await p;
    } catch (e) {
      if (e instanceof DatasetError) throw ApplicationFailure.nonRetryable(e.message, 'DatasetError');
      throw e;
    }
  }

  return {
    /** Number of items the evaluation will run. */
    async describeDataset(ref: DatasetRef): Promise<{ count: number }> {
      return { count: (await items(ref)).length };
    },

    /** The agent-facing view of some items: id and question, never the answer. */
    async loadItems(ref: DatasetRef, indices: number[]): Promise<ItemView[]> {
      const all = await items(ref);
      return indices.map((index) => {
        const item = all[index];
        if (!item) throw ApplicationFailure.nonRetryable(`${ref.name}: no item at index ${index}`, 'DatasetError');
        return { index, id: item.id, question: item.question };
      });
    },

    /** Grades the terminal agent's output against the item's answer (code items run in the sandbox). */
    gradeItem,

    /**
     * Grades several items' outputs in one activity (results in request order), at most GRADE_CONCURRENCY at once:
     * the items a batch finished while its previous grading was in flight (workflows/evaluate-batch.ts).
     */
    async gradeItems(ref: DatasetRef, requests: GradeRequest[]): Promise<GradeResult[]> {
      return mapBounded(requests, GRADE_CONCURRENCY, (request) => gradeItem(ref, request));
    },
  };

  async function gradeItem(ref: DatasetRef, request: GradeRequest): Promise<GradeResult> {
    const item = (await items(ref))[request.index];
    if (!item) throw ApplicationFailure.nonRetryable(`${ref.name}: no item at index ${request.index}`, 'DatasetError');
    const g = await gradeOutput(datasetGrader(ref), item, request.output);
    const result: GradeResult = { index: request.index, correct: g.correct, predicted: g.predicted, expected: item.answer };
    if (g.detail !== undefined) result.detail = g.detail;
    return result;
  }
}

/** Code items run a sandboxed Python each (up to 10 s of wall-clock): a few at once, on a worker with few cores. */
const GRADE_CONCURRENCY = 4;

export type EvaluationActivities = ReturnType<typeof createEvaluationActivities>;
