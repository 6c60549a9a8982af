/**
 * The config's `prices:` section (zod, edge only): model name (or `prefix*`) → { input, output } USD per 1M tokens.
 * The price table and the cost arithmetic are zod-free in core/forecast/pricing.ts.
 */
import { z } from 'zod';
import type { ModelPrice, Prices } from '../forecast/pricing';

/** USD per 1M input tokens and per 1M output tokens. */
export const ModelPriceSchema = z
  .object({
    input: z.number().nonnegative().max(10_000),
    output: z.number().nonnegative().max(10_000),
  })
  .strict() satisfies z.ZodType<ModelPrice>;

/** Config `prices:` — model name (or `prefix*`) → { input, output } USD per 1M tokens; overrides the defaults. */
export const PricesSchema = z.record(z.string().min(1), ModelPriceSchema) satisfies z.ZodType<Prices>;
