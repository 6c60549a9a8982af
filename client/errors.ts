/** Maps errors to the CLI's one-line messages and exit codes (2 = bad input, 1 = the job failed). */
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, TemporalFailure } from '@temporalio/common';
import { ConfigError } from './config';
import { DatasetError } from '../datasets/errors';
import { PayloadSettingsError } from '../platform/payloads/settings';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Bad input (a config, a dataset, a flag, an unknown workflow id) exits 2; a job that failed exits 1. */
export function exitCodeFor(err: unknown): number {
  const badInput = [ConfigError, DatasetError, UsageError, PayloadSettingsError, WorkflowNotFoundError].some((type) => err instanceof type);
  return badInput ? 2 : 1;
}

/** The innermost meaningful message of a failure chain (workflow → child → activity → application). */
export function rootCause(err: unknown): unknown {
  let e: unknown = err;
  while (
    (e instanceof WorkflowFailedError || e instanceof ChildWorkflowFailure || e instanceof ActivityFailure || (e instanceof TemporalFailure && !(e instanceof ApplicationFailure))) &&
    (e as Error & { cause?: unknown }).cause
  ) {
    e = (e as Error & { cause?: unknown }).cause;
  }
  return e;
}

export function messageFor(err: unknown): string {
  const root = rootCause(err);
  if (err instanceof WorkflowFailedError) {
    const m = root instanceof Error ? root.message : String(root);
    const type = root instanceof ApplicationFailure && root.type ? ` [${root.type}]` : '';
    return `workflow failed: ${m}${type}`.replace(/\s+/g, ' ');
  }
  if (root instanceof Error) {
    const code = (root as NodeJS.ErrnoException).code;
    return (code && !root.message.includes(code) ? `${root.message} (${code})` : root.message).split('\n')[0];
  }
  return String(root);
}
