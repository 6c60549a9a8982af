/**
 * The `code` grader: extracts the program from a model reply, assembles it with the item's prelude and tests
 * (core/grading/code-program.ts) and runs it in the sandbox. Correct iff every test passes.
 */
import { log } from '@temporalio/activity';
import { assembleProgram, type CodeTask } from '../../core/grading/code-program';
import { runInSandbox, sandboxIsolation, type SandboxLimits, type SandboxResult } from './code-sandbox';

let announced = false;

export interface CodeGrade {
  correct: boolean;
  /** The extracted program (null when the reply has no code at all). */
  program: string | null;
  result: SandboxResult | null;
  /** `<reason>: <message>` for reports, e.g. `timeout: wall-clock limit of 10000 ms exceeded`. */
  detail: string;
}

export async function gradeCode(task: CodeTask, reply: string, limits?: Partial<SandboxLimits>): Promise<CodeGrade> {
  const parts = assembleProgram(task, reply);
  if (!parts.program.trim()) return { correct: false, program: null, result: null, detail: 'no code in the output' };
  // Only the definitions run: a correct function is not failed by its own usage demo (sandbox-launcher.ts).
  const result = await runInSandbox({ ...parts, sanitize: true }, limits);
  if (!announced) {
    announced = true;
    // Once per worker: what the sandbox enforces on this host (e.g. whether the network is isolated).
    const notes = await sandboxNotes();
    try {
      log.info(`code sandbox: ${notes.join('; ')}`);
    } catch {
      /* not inside an activity (tests, scripts) */
    }
  }
  const dropped = result.dropped ? ` (${result.dropped} top-level demo statement${result.dropped === 1 ? '' : 's'} not run)` : '';
  return { correct: result.passed, program: parts.program, result, detail: `${result.message ? `${result.reason}: ${result.message}` : result.reason}${dropped}` };
}

/** One line per enforced (or missing) guarantee of the sandbox on this worker. */
export async function sandboxNotes(): Promise<string[]> {
  return (await sandboxIsolation()).notes;
}
