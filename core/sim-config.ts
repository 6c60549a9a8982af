/**
 * Parameters of the simulated LLM world (see sim/README.md). Every knob is set from config; defaults are
 * documented here. Pure zod schema, shared by the config parser, the in-process simulator and `maspo sim serve`.
 */
import { z } from 'zod';

export const SimWorldSchema = z
  .object({
    /** World seed: with the request, it fully determines every reply. */
    seed: z.number().int().nonnegative().default(0),
  })
  .strict();

export type SimWorldConfig = z.infer<typeof SimWorldSchema>;
