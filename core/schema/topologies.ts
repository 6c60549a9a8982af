/**
 * Topology presets: named agent graphs with role prompts per task type, so a config can say
 * `preset: debate, task: math` instead of writing agents and edges by hand. Pure; `expandPreset` returns the
 * explicit form (`MasSpec`) that the config schema and everything downstream already understand.
 *
 * The prompt texts are maspo's own. Every root prompt uses `{{question}}`; every agent with predecessors also
 * uses `{{context}}` (core/common/template.ts `checkTemplate`).
 */
import type { Edge } from '../common/graph';
import type { AgentSpec, MasSpec } from '../contracts/mas';

export const PRESETS = ['chain', 'summarize', 'debate', 'llm-aggregator', 'debate-aggregator', 'hierarchical'] as const;
export type Preset = (typeof PRESETS)[number];

export const PRESET_TASKS = ['math', 'choice', 'code'] as const;
export type PresetTask = (typeof PRESET_TASKS)[number];

/** Bounds and defaults of the numeric preset options. */
export const PRESET_LIMITS = {
  /** Predictors of `llm-aggregator`. */
  agents: { min: 1, max: 16, default: 3 },
  /** Predictor → reflector rounds of `chain`. */
  rounds: { min: 1, max: 8, default: 1 },
} as const;

export interface PresetOptions {
  preset: Preset;
  task: PresetTask;
  /** Number of predictors (`llm-aggregator` only; default 3). */
  agents?: number;
  /** Predictor → reflector rounds (`chain` only; default 1). */
  rounds?: number;
}

/** How the final output must be written, per task. */
function answerRule(task: PresetTask): string {
  switch (task) {
    case 'math':
      return 'Write the final answer once, in its simplest exact form, inside <answer></answer> at the very end, with nothing else between the tags.';
    case 'choice':
      return 'Pick exactly one of the options listed in the question and write only its letter inside <answer></answer> at the very end, with nothing else between the tags.';
    case 'code':
      return 'End with the complete solution as one self-contained Python function, using the function name and arguments the problem asks for, in a single ```python code block.';
  }
}

function subject(task: PresetTask): string {
  return task === 'code' ? 'programming problem' : task === 'choice' ? 'multiple-choice question' : 'math problem';
}

/** A way of attacking the problem; predictors that share a layer get different ones so they do not start identical. */
const PERSPECTIVES: Record<PresetTask, readonly string[]> = {
  math: [
    'Work forward from the given facts: name the unknowns, set up the relations between them and solve step by step.',
    'Work backward from what is asked: decide which quantity settles the answer, then derive it step by step and confirm it with a second method or a quick estimate.',
    'Restate the problem in your own words, try a small or special case to see the pattern, then solve the general case step by step.',
    'Look for the shortest valid route (a symmetry, an identity or a known result), use it step by step and double-check every calculation.',
  ],
  choice: [
    'Work out the answer yourself step by step before looking at the options, then match it to the option that fits.',
    'Go through the options one by one, rule out those that contradict the facts in the question, and reason step by step about the rest.',
    'Restate what the question really asks, recall the principle it tests, and apply it step by step to decide between the options.',
    'Estimate or bound the answer first, then check the closest options carefully step by step.',
  ],
  code: [
    'Read the requirements and examples carefully, choose a straightforward algorithm and implement it clearly.',
    'Start from the input/output examples and the edge cases they imply, then design the function so that all of them hold.',
    'Think about which data structure makes the task simple, then write the function around it.',
    'Write the simplest correct solution first, then make sure it handles empty inputs and boundary values the problem allows.',
  ],
};

const FRAME: Record<PresetTask, string> = {
  math: 'You are a careful mathematician.',
  choice: 'You are a careful expert answering an exam question.',
  code: 'You are an experienced Python programmer who writes correct, readable code.',
};

function predictor(task: PresetTask, perspective: number, hasUpstream: boolean): string {
  const p = PERSPECTIVES[task][perspective % PERSPECTIVES[task].length];
  const upstream = hasUpstream
    ? `Earlier agents left the notes below. Use what is right in them, fix what is wrong, and give your own complete solution.\n\nNotes from earlier agents:\n{{context}}\n\n`
    : '';
  return `${FRAME[task]} Solve the ${subject(task)} below. ${p} ${answerRule(task)}\n\n${upstream}Question: {{question}}\n\n${task === 'code' ? 'Solution:' : 'Reasoning:'}\n`;
}

function reflector(task: PresetTask): string {
  const what = task === 'code' ? 'code' : 'solution';
  const check =
    task === 'code'
      ? 'Check it against the requirements, the examples and edge cases, and look for bugs or wrong function names.'
      : 'Check each step and each calculation, and look for misread conditions or unjustified jumps.';
  return `You are a critical reviewer. Another agent wrote the ${what} below for this ${subject(task)}. ${check} Explain briefly what is wrong, if anything, then give the corrected result. ${answerRule(task)}\n\nQuestion: {{question}}\n\nProposed ${what}:\n{{context}}\n\nReview and corrected answer:\n`;
}

function summarizer(task: PresetTask): string {
  const keep =
    task === 'code'
      ? 'the function to write (name, arguments, return value), the constraints and what the examples show'
      : task === 'choice'
        ? 'the facts and conditions that matter, what is being asked, and every option with its letter'
        : 'the given quantities and conditions, the unknowns, and exactly what is being asked';
  return `You prepare a ${subject(task)} for a solver. Do not solve it. List, briefly and without losing any detail that matters, ${keep}. Leave out anything irrelevant. Start your reply with "Key facts:".\n\nQuestion: {{question}}\n`;
}

function summaryReader(task: PresetTask): string {
  return `${FRAME[task]} Solve the ${subject(task)} below step by step; a helper has extracted its key facts, but the question itself is authoritative. ${answerRule(task)}\n\nKey facts from the helper:\n{{context}}\n\nQuestion: {{question}}\n\n${task === 'code' ? 'Solution:' : 'Reasoning:'}\n`;
}

function debator(task: PresetTask): string {
  return `You moderate a debate between agents who solved the same ${subject(task)} independently. Compare their solutions, find where and why they disagree, decide which reasoning holds up (or correct them all), and give one final result. ${answerRule(task)}\n\nQuestion: {{question}}\n\nSolutions from the agents:\n{{context}}\n\nYour judgement:\n`;
}

function aggregator(task: PresetTask): string {
  return `You combine several candidate solutions to the same ${subject(task)} into one. Weigh each candidate's reasoning rather than just counting votes, keep what is correct, drop what is not, and write a single final solution. ${answerRule(task)}\n\nQuestion: {{question}}\n\nCandidate solutions:\n{{context}}\n\nFinal solution:\n`;
}

const SPECIALIST: Record<'math' | 'science' | 'code', { frame: string; approach: Record<PresetTask, string> }> = {
  math: {
    frame: 'You are the math specialist of a team.',
    approach: {
      math: 'Set up the equations and solve them step by step, checking each calculation.',
      choice: 'Use quantitative reasoning (calculation, estimation, logic) step by step to decide.',
      code: 'Think about the algorithm mathematically (invariants, formulas, complexity) before writing it.',
    },
  },
  science: {
    frame: 'You are the science specialist of a team.',
    approach: {
      math: 'Interpret the problem concretely (units, physical meaning, sanity of magnitudes) and solve it step by step.',
      choice: 'Apply the relevant scientific principles and domain knowledge step by step to decide.',
      code: 'Model the problem precisely (inputs, outputs, what the examples imply) before writing the code.',
    },
  },
  code: {
    frame: 'You are the programming specialist of a team.',
    approach: {
      math: 'Solve it as an algorithm would: break it into exact, mechanical steps and carry each one out carefully.',
      choice: 'Break the question into precise checks, evaluate each option against them systematically.',
      code: 'Write clean, straightforward code and trace it by hand on the examples.',
    },
  },
};

function specialist(kind: 'math' | 'science' | 'code', task: PresetTask): string {
  const s = SPECIALIST[kind];
  return `${s.frame} Solve the ${subject(task)} below from your own angle. ${s.approach[task]} ${answerRule(task)}\n\nQuestion: {{question}}\n`;
}

function taskSummarizer(task: PresetTask): string {
  return `You lead a team of math, science and programming specialists who each solved the same ${subject(task)}. Read their solutions, resolve any disagreement by checking the reasoning yourself, and give the team's final result. ${answerRule(task)}\n\nSolutions from the specialists:\n{{context}}\n\nQuestion: {{question}}\n\nFinal result:\n`;
}

const DESCRIPTIONS = {
  predictor: 'Primary solver that reasons step by step and gives a complete final answer.',
  reflector: 'Critical reviewer that finds errors in the previous solution and gives a corrected answer.',
  summarizer: 'Extractor that restates only the facts and requirements the solver needs, without solving.',
  debator: 'Moderator that compares independent solutions, settles their disagreements and gives one answer.',
  aggregator: 'Integrator that weighs several candidate solutions and writes one authoritative solution.',
  'math-agent': 'Math specialist that solves the problem with careful quantitative reasoning.',
  'science-agent': 'Science specialist that solves the problem with domain knowledge and sanity checks.',
  'code-agent': 'Programming specialist that solves the problem by exact, algorithmic steps.',
  'task-summarizer': 'Team lead that reconciles the specialists\' solutions into the final answer.',
} as const;

function agent(id: string, role: keyof typeof DESCRIPTIONS, prompt: string): AgentSpec {
  return { id, role, description: DESCRIPTIONS[role], prompt };
}

function checkCount(name: 'agents' | 'rounds', value: number | undefined): number {
  const lim = PRESET_LIMITS[name];
  const v = value ?? lim.default;
  if (!Number.isInteger(v) || v < lim.min || v > lim.max) throw new RangeError(`${name} must be an integer from ${lim.min} to ${lim.max}`);
  return v;
}

/**
 * Expands a preset into an explicit agent graph. Throws on an unknown preset or task, on an out-of-range
 * count, and when `agents` / `rounds` is given to a preset that does not use it.
 */
export function expandPreset(opts: PresetOptions): MasSpec {
  const { preset, task } = opts;
  if (!(PRESETS as readonly string[]).includes(preset)) throw new Error(`unknown preset '${preset}' (known: ${PRESETS.join(', ')})`);
  if (!(PRESET_TASKS as readonly string[]).includes(task)) throw new Error(`unknown task '${task}' (known: ${PRESET_TASKS.join(', ')})`);
  if (opts.agents !== undefined && preset !== 'llm-aggregator') throw new Error(`agents only applies to preset llm-aggregator`);
  if (opts.rounds !== undefined && preset !== 'chain') throw new Error(`rounds only applies to preset chain`);

  const agents: AgentSpec[] = [];
  const edges: Edge[] = [];
  const edge = (from: string, to: string) => edges.push({ from, to });

  switch (preset) {
    case 'chain': {
      const rounds = checkCount('rounds', opts.rounds);
      const suffix = (r: number) => (rounds === 1 ? '' : String(r + 1));
      for (let r = 0; r < rounds; r++) {
        const p = `predictor${suffix(r)}`;
        const rf = `reflector${suffix(r)}`;
        agents.push(agent(p, 'predictor', predictor(task, 0, r > 0)), agent(rf, 'reflector', reflector(task)));
        if (r > 0) edge(`reflector${suffix(r - 1)}`, p);
        edge(p, rf);
      }
      break;
    }
    case 'summarize':
      agents.push(agent('summarizer', 'summarizer', summarizer(task)), agent('predictor', 'predictor', summaryReader(task)));
      edge('summarizer', 'predictor');
      break;
    case 'debate':
    case 'debate-aggregator':
      agents.push(
        agent('predictor_a', 'predictor', predictor(task, 0, false)),
        agent('predictor_b', 'predictor', predictor(task, 1, false)),
        agent('debator', 'debator', debator(task)),
      );
      edge('predictor_a', 'debator');
      edge('predictor_b', 'debator');
      if (preset === 'debate-aggregator') {
        agents.push(agent('aggregator', 'aggregator', aggregator(task)));
        edge('debator', 'aggregator');
      }
      break;
    case 'llm-aggregator': {
      const n = checkCount('agents', opts.agents);
      for (let i = 0; i < n; i++) {
        agents.push(agent(`predictor${i + 1}`, 'predictor', predictor(task, i, false)));
        edge(`predictor${i + 1}`, 'aggregator');
      }
      agents.push(agent('aggregator', 'aggregator', aggregator(task)));
      break;
    }
    case 'hierarchical':
      agents.push(
        agent('math', 'math-agent', specialist('math', task)),
        agent('science', 'science-agent', specialist('science', task)),
        agent('code', 'code-agent', specialist('code', task)),
        agent('summarizer', 'task-summarizer', taskSummarizer(task)),
      );
      for (const a of ['math', 'science', 'code']) edge(a, 'summarizer');
      break;
  }
  return { topology: preset, agents, edges };
}
