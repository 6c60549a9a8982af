import { choiceLetter, extractChoice, grade } from '../core/grading/answer';

describe('strict option letters', () => {
  test.each([
    ['B', 'B'],
    ['(B)', 'B'],
    ['B)', 'B'],
    ['B.', 'B'],
    ['Option B', 'B'],
    ['option (b)', 'B'],
    ['\\boxed{B}', 'B'],
    ['$\\boxed{B}$', 'B'],
    ['**B**', 'B'],
    ['\\text{B}', 'B'],
    ['(C) 42 apples', 'C'],
    ['D. 42 apples', 'D'],
    ['E ) None of these', 'E'],
  ])('choiceLetter(%j) = %s', (text, letter) => {
    expect(choiceLetter(text)).toBe(letter);
  });

  test.each(['CAB', 'A or B', 'The answer could be A', 'F', '(F)', 'Bob', 'B2', '', 'AB'])('choiceLetter(%j) is null', (text) => {
    expect(choiceLetter(text)).toBeNull();
  });

  test('letters outside the item are refused (GPQA has A–D only)', () => {
    expect(choiceLetter('E', 'ABCD')).toBeNull();
    expect(choiceLetter('(E)', 'ABCD')).toBeNull();
    expect(extractChoice('The answer is E.', 'ABCD')).toBeNull();
    expect(extractChoice('The answer is E.', 'ABCDE')).toBe('E');
  });
});

describe('extractChoice from a whole reply', () => {
  test.each([
    ['Reasoning...\n<answer>(B)</answer>', 'B'],
    ['<answer>The answer is C</answer>', 'C'],
    ['... so we get \\boxed{D}', 'D'],
    ['Step 1 ... The answer is B.', 'B'],
    ['Therefore the correct option is (A).', 'A'],
    ['Final answer: **C**', 'C'],
    ['The answer is D, not option A.', 'D'],
    ['I considered A and B.\nAnswer: E', 'E'],
    ['Option B is correct because the rate doubles.', 'B'],
    ['long reasoning\n\n(C)', 'C'],
    ['long reasoning\nB', 'B'],
  ])('%j → %s', (text, letter) => {
    expect(extractChoice(text)).toBe(letter);
  });

  test.each([
    // The reference counted these as correct through `gold in pred` substring checks.
    'the correct option is therefore clearly something else',
    'A car travels 60 km in an hour, so the speed is 60 km/h.',
    'The answer is a bit subtle; it depends on the premise.',
    'It could be A or B.',
    'The answers are A, C.\nWe need more info',
    '<answer>none of them</answer>',
    'no answer here',
  ])('%j → null', (text) => {
    expect(extractChoice(text)).toBeNull();
  });

  test('grade(choice) uses the strict extractor and the item letters', () => {
    expect(grade('choice', 'the correct option is therefore clearly C', 'E').correct).toBe(false);
    expect(grade('choice', 'I think it is C, therefore.', 'E').correct).toBe(false);
    expect(grade('choice', 'The answer is (C).', 'C')).toEqual({ correct: true, predicted: 'C' });
    expect(grade('choice', 'The answer is (E).', 'E', 'ABCD')).toEqual({ correct: false, predicted: null });
  });
});
