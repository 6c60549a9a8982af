import { letterProbs, type TokenLogprob } from '../bench/judge-agreement/letter-probs';

const tok = (token: string, alts: Array<[string, number]> = []): TokenLogprob => ({ token, logprob: Math.log(0.9), top_logprobs: alts.map(([t, p]) => ({ token: t, logprob: Math.log(p) })) });

describe('letterProbs: the judge lean at its verdict', () => {
  test('the token after the last <choose> gives the mass on A and on B', () => {
    const tokens = [tok('Output A is wrong. '), tok('<'), tok('choose'), tok('>'), tok('B', [['B', 0.7], ['A', 0.2], ['tie', 0.1]])];
    const m = letterProbs(tokens)!;
    expect(m.A).toBeCloseTo(0.2);
    expect(m.B).toBeCloseTo(0.7);
  });

  test('a token that carries the end of the tag is read after it; spaces and case do not matter', () => {
    const tokens = [tok('<choose'), tok('>B', [['>B', 0.5], ['> a', 0.3], ['>C', 0.2]])];
    const m = letterProbs(tokens)!;
    expect(m.B).toBeCloseTo(0.5);
    expect(m.A).toBeCloseTo(0.3);
  });

  test('only the last <choose> counts (an output may quote the tag)', () => {
    const tokens = [tok('<choose>'), tok('A', [['A', 1]]), tok('</choose> then '), tok('<choose>'), tok('B', [['B', 0.6], ['A', 0.4]])];
    expect(letterProbs(tokens)!.B).toBeCloseTo(0.6);
  });

  test('no tag, the tag as the last token, or no A/B among the alternatives: null', () => {
    expect(letterProbs([tok('B', [['B', 1]])])).toBeNull();
    expect(letterProbs([tok('<choose>')])).toBeNull();
    expect(letterProbs([tok('<choose>'), tok('tie', [['tie', 0.9], ['neither', 0.1]])])).toBeNull();
  });
});
