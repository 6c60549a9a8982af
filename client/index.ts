/**
 * The library front door. Everything the CLI does is available here:
 *
 *   const { config } = await loadConfig('run.yaml');
 *   const temporal = await connectTemporal();            // TEMPORAL_ADDRESS, or the embedded dev server
 *   const handle = await startEvaluation(temporal.client, await buildEvaluateInput({ file: 'run.yaml', config }));
 *   const result = await awaitEvaluation(temporal.client, handle, (p) => console.log(p.done, '/', p.total));
 *
 *   // the search: same shape — buildOptimizeInput → startOptimization → awaitOptimization (or pause/resume/stop
 *   // with controlOptimization; the result's `prompts` are what `applyPromptsFile`/`evaluate --prompts` take)
 *   // afterwards: assembleRunRecord(client, workflowId) → the run record (`maspo export`), renderReport(record) → HTML
 *
 * A worker must serve the task queue: `maspo worker`, or `createMaspoWorkers` + `runWorkers` in your process.
 */
export { loadConfig, parseConfigText, buildEvaluateInput, resolveDataset, ConfigError } from './config';
export { startEvaluation, awaitEvaluation, evaluationProgress, defaultEvaluationId } from './evaluate';
export {
  optimize,
  buildOptimizeInput,
  startOptimization,
  awaitOptimization,
  optimizationProgress,
  controlOptimization,
  setBudget,
  defaultOptimizationId,
} from './optimize';
export { applyPromptsFile } from './config';
export { assembleRunRecord, readRunRecord } from './run-record';
export { renderReport } from './report/render';
export { connectTemporal, type TemporalConnection } from './temporal/connection';
/** For Clients built by hand: without it, payloads the workers claim-checked (> 16 KiB) cannot be read. */
export { maspoDataConverter, payloadSettings } from '../platform/payloads/settings';
export { ensureTemporalCli } from './temporal/setup';
export { ensureDevServer, stopDevServer, devServerStatus, registerSearchAttributes } from './temporal/dev-server';
export { createMaspoWorkers, runWorkers, type MaspoWorkerOptions, type RoleLimits } from '../workers/worker';
export { startSimServer } from '../sim/server';
export type { MaspoConfig } from '../core/schema/config';
export type { EvaluateInput, EvaluateResult, EvaluateProgress, ItemRecord } from '../core/contracts/evaluate';
export type { MasSpec, AgentSpec } from '../core/contracts/mas';
export type { DatasetRef } from '../core/contracts/dataset';
export type { ModelSpec, LlmRequest, LlmResult, ModelRole } from '../core/contracts/llm';
export type { OptimizeInput, OptimizeResult, CallTotals, HeldOutResult } from '../core/contracts/optimize';
export type { Budget, Ledger, RoleLedger } from '../core/contracts/ledger';
export type { SearchSettings } from '../core/search/types';
export type { RunRecord } from '../core/contracts/run-record';
