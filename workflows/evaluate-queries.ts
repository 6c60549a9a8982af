/**
 * Queries of the evaluation workflows. Definitions only, so the client can import them too.
 */
import { defineQuery } from '@temporalio/workflow';
import type { EvaluateProgress } from '../core/contracts/evaluate';

/** Progress of a whole evaluation (parent workflow): finished batches plus the ids of running ones. */
export interface EvaluationStatus extends EvaluateProgress {
  runningBatches: string[];
}

export const evaluationStatusQuery = defineQuery<EvaluationStatus>('evaluationStatus');

/** Progress inside one batch child. */
export const batchProgressQuery = defineQuery<EvaluateProgress>('batchProgress');
