/**
 * The judge's lean at its verdict, from the token log-probabilities an OpenAI-compatible server returns
 * (`logprobs: true, top_logprobs: N`; llama-server serves them). Pure.
 */

/** One generated token with its most likely alternatives at that position. */
export interface TokenLogprob {
  token: string;
  logprob: number;
  top_logprobs?: Array<{ token: string; logprob: number }>;
}

/**
 * The token right after the last `<choose>` (the verdict letter), and the probability mass its alternatives put on
 * A and on B. A token that also carries the tag's tail (e.g. `>A`) is read after that tail.
 */
export function letterProbs(tokens: readonly TokenLogprob[]): { A: number; B: number } | null {
  let text = '';
  const starts: number[] = [];
  for (const t of tokens) {
    starts.push(text.length);
    text += t.token;
  }
  const tag = text.toLowerCase().lastIndexOf('<choose>');
  if (tag < 0) return null;
  const at = tag + '<choose>'.length;
  const i = starts.findIndex((s, k) => s <= at && at < s + tokens[k].token.length);
  // The verdict starts inside token i, or (when the tag ends exactly at a token boundary) at token i.
  if (i < 0) return null;
  const tail = text.slice(starts[i], at); // the part of the tag inside this token ('' or e.g. '>')
  const mass = { A: 0, B: 0 };
  for (const alt of tokens[i].top_logprobs ?? []) {
    if (!alt.token.startsWith(tail)) continue;
    const letter = alt.token.slice(tail.length).trim().toUpperCase();
    if (letter === 'A' || letter === 'B') mass[letter] += Math.exp(alt.logprob);
  }
  return mass.A + mass.B > 0 ? mass : null;
}
