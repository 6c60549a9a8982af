/**
 * Shared vocabulary of the MASPO engine: the resolved search settings every workflow carries, and the records
 * that flow between the pure modules (prompts → judge verdicts → reward → misalignment → beam).
 *
 * Pure types only (no zod, no Node built-ins): workflows import this file.
 */

/** `fixed` repairs the reference code's defects; `faithful` reproduces its decision semantics (study §2–§5). */
export type Profile = 'fixed' | 'faithful';
/** `maspo` = full method; `local-only` = SPO-style (local reward, no misalignment, no refresh); `none` = seed prompts. */
export type Strategy = 'maspo' | 'local-only' | 'none';
/** What fills the optimizer's case slot: mined hard negatives, nothing, random traces, or success cases (Table 2). */
export type MisalignmentMode = 'hard-negatives' | 'off' | 'random' | 'success';
/** Selects the task requirement string given to the optimizer and the judge. */
export type TaskType = 'math' | 'choice' | 'code';

/**
 * The four pairwise comparisons. `local`: the agent's own output; `lookahead`: a successor's output re-run under
 * the candidate; `global`: the terminal (system) output; `terminal`: the agent under optimisation IS the terminal.
 */
export type ComparisonKind = 'local' | 'lookahead' | 'global' | 'terminal';

/** The judge's answer about the two positions it was shown. `unparseable` is recorded and counts as a tie. */
export type PositionVerdict = 'A' | 'B' | 'tie' | 'unparseable';
/** A verdict from the candidate prompt's point of view. */
export type Outcome = 'win' | 'loss' | 'tie';
/** Which output was shown as "A". */
export type Order = 'candidate-first' | 'parent-first';

export interface RewardWeights {
  local: number;
  lookahead: number;
  global: number;
}

/**
 * The one flat, JSON-serialisable settings object a search workflow carries (built by `resolveOptimizeSettings`
 * in settings.ts, which applies strategy presets and profile semantics). Every decision the engine makes reads
 * from here; nothing branches on `profile` elsewhere except where noted in these comments.
 */
export interface SearchSettings {
  profile: Profile;
  strategy: Strategy;
  /** False for strategy `none`: the run returns the seed prompts without any call. */
  search: boolean;
  /** D: rounds over all agents (topological order). */
  rounds: number;
  /** T: steps per agent per round. */
  stepsPerRound: number;
  /** K: beam width. */
  beamWidth: number;
  /** Ksub: optimizer proposals per beam parent per step. */
  proposalsPerParent: number;
  /** |D|: unlabelled optimisation pool size. */
  poolSize: number;
  /** |B|: mini-batch size. */
  batchSize: number;
  /** α, β, θ of the joint reward; sum to 1. */
  weights: RewardWeights;
  /** Lookahead and global comparisons are made (false = local reward only). */
  jointEvaluation: boolean;
  /** Lookahead comparisons are made (jointEvaluation and weights.lookahead > 0). */
  lookahead: boolean;
  /** Successors within this many hops are lookahead-judged (1 = direct successors only). */
  lookaheadDepth: number;
  misalignment: MisalignmentMode;
  /** Kmis: cases given to one proposal (fixed) / kept per agent (faithful). */
  maxMisalignmentCases: number;
  beamRefresh: boolean;
  /** Judge every comparison in both presentation orders; disagreement = tie. */
  judgeBothOrders: boolean;
  taskType: TaskType;

  // ---- profile semantics (derived; see settings.ts for the table) ----
  /**
   * `strict`: exactly one <choose>A|B|tie</choose>; `tolerant`: strict, else a reply that is only the verdict or one
   * unclosed <choose>X at the end (small local judges); `lenient`: the reference parser (study §3).
   */
  verdictParsing: 'strict' | 'tolerant' | 'lenient';
  /** `verdict-first` (opt-in): the judge is asked for the tag before its reasons, so a reply can stop right after it. */
  judgeReply?: 'analysis-first' | 'verdict-first';
  /** `tolerant` (fixed profile, opt-in): an unclosed last <prompt> is read and missing placeholders appended. */
  proposalParsing?: 'strict' | 'tolerant';
  /** The judge is offered `<choose>tie</choose>`. */
  allowTieVerdict: boolean;
  /** Each beam node samples its own mini-batch (faithful) instead of one shared batch per step (fixed). */
  batchPerNode: boolean;
  /** A candidate with R ≤ 0 leaves a copy of its parent in the children (faithful); fixed keeps parents instead. */
  parentCopies: boolean;
  /** `marked-self`: cases go, marked, to the agent's own next proposal; `successor-questions`: study §4.3. */
  caseDelivery: 'marked-self' | 'successor-questions';
  /** Cap on injected questions per batch in `successor-questions` delivery (reference: 5). */
  maxInjectedQuestions: number;
  /** Weights used when no lookahead comparison was made (faithful: 0.7/0.3 hard-coded). */
  noLookaheadWeights: RewardWeights;
  /** Weights of the refresh reward R(p, p_best) (faithful: 0.7 local + 0.3 global, no lookahead). */
  refreshWeights: RewardWeights;
  /** Refresh makes lookahead comparisons (faithful: never). */
  refreshLookahead: boolean;
  /** Successors receive a summary of at most this many words instead of the full output (faithful: 30). */
  handoffSummaryWords: number | null;
  /** Lookahead on the terminal agent reuses the global verdict (same pair of outputs) instead of a second call. */
  reuseTerminalLookahead: boolean;
  /** Two byte-identical outputs are a tie without a judge call. */
  skipIdenticalOutputs: boolean;
  /** Faithful: a lookahead comparison with an empty output on either side is skipped (not made). */
  skipEmptyLookahead: boolean;
  /** `split`: proposal k sees the k-th slice of the batch's traces (faithful halves); `all`: every proposal sees all. */
  proposalTraces: 'split' | 'all';
  /** Refresh runs on the first step's batch of the turn, so its runs double as that step's baselines. */
  refreshSharesFirstBatch: boolean;
  /** Ties in J: `stable` (insertion order, reference) or `seeded` (stable, then the run's PRNG). */
  tieBreak: 'stable' | 'seeded';
  /** A new best needs J > best.J + this. */
  improvementEpsilon: number;
  /** Texts stored in misalignment cases are clipped to this many characters (keeps state and meta-prompts bounded). */
  caseCharLimit: number;
  /**
   * Fixed profile, opt-in: when a buffered case stops being shown (misalignment.ts `liveCases`). `turns`: after this
   * many later steps of its agent; `beamExit`: once the prompt whose candidate produced it has left the agent's beam.
   * Absent: cases stay until newer ones push them out of the Kmis-sized buffer.
   */
  caseExpiry?: { turns?: number; beamExit: boolean };
  /**
   * Fixed profile, opt-in (`optimize.refreshMovesBest: false`): a refresh re-scores and re-ranks the beam but keeps
   * the agent's best prompt, which only a step can replace. Absent: a refresh may move the best (anchor shift).
   */
  refreshKeepsBest?: boolean;
}

/** An agent as the optimizer and judge see it. */
export interface AgentInfo {
  id: string;
  role: string;
  description?: string;
}

/** One execution trace of the agent under the parent prompt: what it read and what it wrote. */
export interface Trace {
  question: string;
  /** The agent's {{context}} (upstream outputs as handed on); '' for a root agent. */
  context: string;
  output: string;
}

/**
 * A case for the optimizer's case slot. For `misalignment` cases: the candidate won locally but lost the
 * lookahead and/or the global comparison on this item (study §4.1).
 */
export interface MisalignmentCase {
  kind: 'misalignment' | 'random' | 'success';
  /** The agent whose candidate produced the output. */
  agentId: string;
  /** Dataset index of the item (faithful injection puts this item at the front of a successor's batch). */
  index: number;
  question: string;
  context: string;
  /** The candidate's output on this item (clipped to `caseCharLimit`). */
  output: string;
  /** What the nearest judged downstream agent (or the terminal) wrote from that output, clipped; may be absent. */
  downstream?: { agentId: string; output: string };
  lost: { lookahead: boolean; global: boolean };
  /** 0 = lost both, 1 = lookahead only, 2 = global only (lower first); 3 for non-misalignment kinds. */
  priority: number;
  /** Where it was mined, for audit and for the buffer's recency order. */
  round: number;
  step: number;
  /** The agent's step count when it was mined (1 = its first step), and a hash of the parent prompt whose candidate produced it (set when the step is applied; for `caseExpiry`). */
  turn?: number;
  against?: string;
}
