import { checkTemplate, joinContext, placeholdersOf, renderTemplate } from '../core/common/template';

describe('prompt templates', () => {
  test('fills placeholders and keeps LaTeX and JSON braces literal', () => {
    const t = 'Solve {{question}} using \\frac{1}{2} and {"k": {"v": 1}}. Context: {{ context }}';
    expect(renderTemplate(t, { question: 'Q', context: 'C' })).toBe('Solve Q using \\frac{1}{2} and {"k": {"v": 1}}. Context: C');
  });

  test('inserted values are not re-expanded', () => {
    expect(renderTemplate('{{question}}|{{context}}', { question: '{{context}}', context: 'x' })).toBe('{{context}}|x');
  });

  test('lists placeholders', () => {
    expect(placeholdersOf('a {{question}} b {{context}} {{question}}')).toEqual(['question', 'context', 'question']);
  });

  test.each([
    ['no question', 'Context: {{context}}', true, /missing the \{\{question\}\}/],
    ['upstream but no context', 'Q: {{question}}', true, /no \{\{context\}\}/],
    ['unknown placeholder', '{{question}} {{answer}}', false, /unknown placeholder \{\{answer\}\}/],
  ])('rejects %s', (_name, template, hasUpstream, message) => {
    const problems = checkTemplate(template, hasUpstream);
    expect(problems.map((p) => p.message).join('\n')).toMatch(message);
  });

  test('accepts a root agent without context', () => {
    expect(checkTemplate('Q: {{question}}', false)).toEqual([]);
  });

  test('joins upstream outputs with labels only when there are several', () => {
    expect(joinContext([])).toBe('');
    expect(joinContext([{ agentId: 'a', text: 'x' }])).toBe('x');
    expect(joinContext([{ agentId: 'a', text: 'x' }, { agentId: 'b', text: 'y' }])).toBe('[a]\nx\n\n[b]\ny');
  });
});
