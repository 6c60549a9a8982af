/** Entry point of the workflow bundle (`workflowsPath`): every workflow type the worker serves. */
export { evaluateMas } from './evaluate';
export { evaluateBatch } from './evaluate-batch';
export { optimizeMas } from './optimize/run';
export { optimizeRound } from './optimize/round';
export { optimizeStep } from './optimize/step';
export { refreshBeam } from './optimize/refresh';
export { evaluateCandidate } from './optimize/candidate';
export { experimentGrid } from './experiment';
