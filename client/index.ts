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
 *   // afterwards: assembleRunRecord(client, workflowId) → the run record (`maspo export`: exportRun), renderReport(record)
 *   // → HTML (`maspo report`: writeReport); compareRuns(recordA, recordB) → renderComparison (`maspo report
 *   // --compare`: writeComparison); planReport(loaded) → the forecast (`maspo plan`); loadExperiment +
 *   // startExperiment + writeExperiment (`maspo experiment`); statusReport(client, workflowId) (`maspo status`)
 *
 * `withTemporal(config, 'auto', job)` connects the way the CLI does and runs the workers in this process when needed.
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
export { optimizationResult, writePromptsFile, formatSearchProgress } from './optimize';
export { applyPromptsFile } from './config';
export { resolvePromptSet, startComparison, runComparison, formatComparison, type CompareResult } from './compare';
export { planReport, formatPlan, loadCalibrationRecord, type PlanReport } from './plan';
export { loadExperiment, startExperiment, writeExperiment, defaultExperimentId, defaultExperimentDir, type LoadedExperiment } from './experiment';
export { statusReport, formatStatus, type StatusReport, type PendingCall } from './status';
export { assembleRunRecord, readRunRecord, recordFromTemporal } from './run-record';
export { exportRun, writeReport, runRecordJson } from './report/export';
export { compareRuns, type RunComparison } from './report/compare/model';
export { renderComparison } from './report/compare/render';
export { writeComparison } from './report/compare/export';
export { formatRunComparison } from './report/compare/summary';
export { renderReport } from './report/render';
export { runCredit, type RunCredit } from '../core/contracts/run-record-credit';
export { creditTable } from './report/credit-text';
export { roundStartInput, forkInput, loadForkOverrides, startFork, defaultForkId } from './fork';
export { formatEvaluation, formatOptimization } from './format';
export { messageFor, exitCodeFor, UsageError } from './errors';
export { connectTemporal, type TemporalConnection } from './temporal/connection';
export { openTemporal, withConnection } from './connect';
export { withTemporal, startWorkerService, workflowUrl, type WorkerMode, type WorkerService } from './workers';
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
