/**
 * Grades one item's final output with the dataset's grader. Text graders are pure (core/); `code` runs the
 * sandbox, so this is async and must only run in activities.
 */
import { grade } from '../../core/grading/answer';
import { preview } from '../../core/contracts/evaluate';
import type { Grader } from '../../core/contracts/dataset';
import { gradeMath } from '../../core/grading/math-equivalence';
import type { CodeTask } from '../../core/grading/code-program';
import { gradeCode } from './code';

export interface GradableItem {
  answer: string;
  letters?: string;
  code?: CodeTask;
}

export interface ItemGrade {
  correct: boolean;
  predicted: string | null;
  detail?: string;
}

export async function gradeOutput(grader: Grader, item: GradableItem, output: string): Promise<ItemGrade> {
  switch (grader) {
    case 'math':
      return gradeMath(output, item.answer);
    case 'code': {
      if (!item.code) throw new Error('code grading needs an item with tests (a benchmark code dataset)');
      const g = await gradeCode(item.code, output);
      return { correct: g.correct, predicted: g.program === null ? null : preview(g.program), detail: g.detail };
    }
    case 'choice':
      return grade('choice', output, item.answer, item.letters ?? 'ABCDE');
    default:
      return grade(grader, output, item.answer);
  }
}
