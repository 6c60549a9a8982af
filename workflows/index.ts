/** Entry point of the workflow bundle (`workflowsPath`): every workflow type the worker serves. */
export { evaluateMas } from './evaluate';
export { evaluateBatch } from './evaluate-batch';
