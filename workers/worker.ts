/**
 * The worker composition root: one Worker on the base task queue for workflows, cheap activities and the LLM calls
 * scheduled there (dispatch `workflow-queue`, the default: each role bounded in process by role-limits.ts), and one
 * per model role on `<base>-llm-<role>` whose activity slots bound that role's calls scheduled there (`role-queues`).
 * All share one set of providers and one persistent response cache. API keys are read here, from the worker's
 * own environment, and nowhere else. Every worker encodes payloads with the claim-check codec
 * (platform/payloads), configured from the same environment as the client's. With MASPO_STORE_URL set, the cache
 * and the payload blobs live in that PostgreSQL database (platform/stores.ts), whose pool closes at shutdown.
 */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { llmTaskQueue, MODEL_ROLES, type ModelRole } from '../core/contracts/llm';
import { createEvaluationActivities } from '../activities/dataset-items';
import { createLlmActivities } from '../activities/llm/activity';
import { RoleCallLimits, type RoleBound } from '../activities/llm/role-limits';
import { responseCacheFor } from '../activities/llm/cache-store';
import { createProviders } from '../activities/llm/providers/registry';
import { maspoDataConverter, payloadSettings } from '../platform/payloads/settings';
import { maspoHome } from '../platform/home';
import { closeStores } from '../platform/stores';
import { installWorkerLogging } from './logging';

export interface RoleLimits {
  /** Concurrent LLM calls of this role on this worker process. */
  concurrency: number;
  /** Optional cluster-wide rate limit for the role's queue (activities per second). */
  ratePerSecond?: number;
  /** The model this role calls, when the worker serves one config: a local server is sized for the roles on it. */
  model?: string;
}

export interface MaspoWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** Directory of the persistent LLM response cache (unused when MASPO_STORE_URL puts it in PostgreSQL). */
  cacheDir: string;
  /** The maspo home whose `llm/` holds the local model runtime (`provider: local`); default from MASPO_HOME. */
  home?: string;
  roles?: Partial<Record<ModelRole, RoleLimits>>;
  /** Prebuilt workflow bundle (production); otherwise workflows are bundled from source at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  env?: NodeJS.ProcessEnv;
  /** Max workflow executions cached per worker (bounds memory of long runs). */
  maxCachedWorkflows?: number;
  /** Worker plugins (interceptors, metrics, recorders), given to every worker: orchestration and each role's. */
  plugins?: WorkerOptions['plugins'];
}

export const DEFAULT_ROLE_LIMITS: RoleLimits = { concurrency: 8 };
/** Activity slots of the base queue for its cheap activities (items, grading), besides the LLM calls' own. */
const BASE_ACTIVITY_SLOTS = 32;
/**
 * Activities the server may hand back with one workflow task's completion (eager dispatch, SDK default 3): a step
 * schedules a whole batch's calls at once, and each one handed back skips a matching round trip.
 */
const EAGER_ACTIVITIES_PER_WORKFLOW_TASK = 64;

/**
 * Each role's bound on its calls in this worker: its concurrency, with the model it calls when every role names one
 * (a worker serving one config). Roles on one model then share a pool of their summed concurrency on the workflow
 * queue (role-limits.ts), and that model's local server gets as many slots (`slotDemand`).
 */
export function roleBounds(roles: MaspoWorkerOptions['roles']): Record<ModelRole, RoleBound> {
  const limitsOf = (role: ModelRole) => roles?.[role] ?? DEFAULT_ROLE_LIMITS;
  const modelsKnown = MODEL_ROLES.every((role) => limitsOf(role).model !== undefined);
  return Object.fromEntries(
    MODEL_ROLES.map((role) => [role, { concurrency: limitsOf(role).concurrency, ...(modelsKnown ? { model: limitsOf(role).model } : {}) }]),
  ) as Record<ModelRole, RoleBound>;
}

/**
 * How many calls this worker may have in flight: in all, and to one model. A local model server gets a slot for
 * each call that may reach it — the roles known to call its model (`roleBounds`), else every role's (any of them may
 * call it). A slot nobody can fill only costs context memory.
 */
export function slotDemand(roles: MaspoWorkerOptions['roles']): { inFlight: number; slotsFor: (model: string) => number } {
  const bounds = Object.values(roleBounds(roles));
  const inFlight = bounds.reduce((sum, b) => sum + b.concurrency, 0);
  const slotsFor = (model: string): number => bounds.filter((b) => b.model === model).reduce((sum, b) => sum + b.concurrency, 0) || inFlight;
  return { inFlight, slotsFor };
}

export async function createMaspoWorkers(options: MaspoWorkerOptions): Promise<Worker[]> {
  const { connection, namespace, taskQueue } = options;
  installWorkerLogging();
  const env = options.env ?? process.env;
  const dataConverter = maspoDataConverter(payloadSettings(env));
  const { inFlight, slotsFor } = slotDemand(options.roles);
  const providers = createProviders({ home: options.home ?? maspoHome(env), concurrency: inFlight, slotsFor, env });
  const cache = responseCacheFor(options.cacheDir, env);
  const llm = createLlmActivities({ providers, cache, env });
  const roleLimits = new RoleCallLimits(roleBounds(options.roles));

  const orchestration = await Worker.create({
    connection,
    namespace,
    taskQueue,
    dataConverter,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    activities: { ...createEvaluationActivities(), ...createLlmActivities({ providers, cache, env, roleLimits }) },
    // Slots for every call the roles may run plus the cheap activities: a worker holds few more LLM calls than it
    // can run, so with several workers the calls spread over them (role-limits.ts bounds each role inside).
    maxConcurrentActivityTaskExecutions: BASE_ACTIVITY_SLOTS + inFlight,
    maxEagerActivityReservationsPerWorkflowTask: EAGER_ACTIVITIES_PER_WORKFLOW_TASK,
    maxCachedWorkflows: options.maxCachedWorkflows ?? 500,
    ...(options.plugins ? { plugins: options.plugins } : {}),
  });
  const roleWorkers = await Promise.all(
    MODEL_ROLES.map((role) => {
      const limits = options.roles?.[role] ?? DEFAULT_ROLE_LIMITS;
      return Worker.create({
        connection,
        namespace,
        taskQueue: llmTaskQueue(taskQueue, role),
        dataConverter,
        activities: llm,
        maxConcurrentActivityTaskExecutions: limits.concurrency,
        ...(limits.ratePerSecond ? { maxTaskQueueActivitiesPerSecond: limits.ratePerSecond } : {}),
        ...(options.plugins ? { plugins: options.plugins } : {}),
      });
    }),
  );
  return [orchestration, ...roleWorkers];
}

/**
 * Runs all workers until one fails or `shutdown()` is called on them (e.g. on SIGINT), then closes the shared
 * store's connections (a later use in this process, e.g. by its Client, reopens them).
 */
export async function runWorkers(workers: Worker[]): Promise<void> {
  const runs = workers.map((w) => w.run());
  try {
    await Promise.race(runs);
  } finally {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    await Promise.allSettled(runs);
    await closeStores();
  }
}
