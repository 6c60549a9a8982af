import { boxed, choiceLetter, extractFinalAnswer, grade, parseNumber } from '../core/grading/answer';

describe('answer extraction and basic graders', () => {
  test('extraction prefers the last answer tag, then \\boxed{} with nested braces, then an "answer is" phrase', () => {
    expect(extractFinalAnswer('<answer>1</answer> then <answer> 42 </answer>')).toBe('42');
    expect(extractFinalAnswer('so \\boxed{\\frac{1}{2}}')).toBe('\\frac{1}{2}');
    expect(boxed('\\boxed{a{b}c}')).toBe('a{b}c');
    expect(extractFinalAnswer('Step 1: 3+4=7\nThe answer is 7.')).toBe('7');
    expect(extractFinalAnswer('I computed 7 and 9')).toBeNull();
  });

  test('numbers', () => {
    expect(parseNumber('1,000')).toBe(1000);
    expect(parseNumber('-3.50')).toBe(-3.5);
    expect(parseNumber('1/2')).toBe(0.5);
    expect(parseNumber('x = 5')).toBe(5);
    expect(parseNumber('1,00')).toBeNull();
    expect(parseNumber('five')).toBeNull();
  });

  test('choice letters are strict: no substring matches', () => {
    expect(choiceLetter('(C)')).toBe('C');
    expect(choiceLetter('Option b')).toBe('B');
    expect(choiceLetter('D. 42 apples')).toBe('D');
    expect(choiceLetter('CAB')).toBeNull();
    expect(choiceLetter('The answer could be A or B')).toBeNull();
    expect(choiceLetter('F')).toBeNull();
  });

  test('grade', () => {
    expect(grade('numeric', '<answer>1,000</answer>', '1000').correct).toBe(true);
    expect(grade('numeric', '<answer>999</answer>', '1000')).toEqual({ correct: false, predicted: '999' });
    expect(grade('exact', 'The answer is Paris.', 'paris').correct).toBe(true);
    expect(grade('choice', '<answer>(B)</answer>', 'B').correct).toBe(true);
    expect(grade('choice', 'no answer here', 'B')).toEqual({ correct: false, predicted: null });
  });
});
