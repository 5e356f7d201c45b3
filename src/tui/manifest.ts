// The lesson manifest: what a lesson author writes, and everything the player (src/tui) relies on.
//
// A lesson is a folder `lessons/NN-name/` whose `index.ts` default-exports one `Lesson`; the registry
// `lessons/index.ts` lists them in order. A lesson is a sequence of steps of four kinds: prose, a live run
// of real tinyseek code (progress, a live chart, knobs, cancellable), a check (a question or a prediction
// judged, optionally, by what a run measured) and an exercise (the learner completes a function in a
// workspace copy of a starter file; the player re-checks it on save). Manifests are validated when they
// are loaded (src/tui/catalog.ts): a malformed one is an InputError naming the lesson file and the problem.
// `tinyseek lessons check` (and `npm test`) proves every starter fails, every solution passes, every run
// finishes on a small budget and every check can be judged.

export type KnobValue = number | string;

/** How much work a run may do: 'full' in the player, 'small' in `lessons check` and CI (seconds at most). */
export type Budget = 'full' | 'small';

export interface Lesson {
  /** Folder name, 'NN-name' (two digits, lower-case words with dashes), e.g. '01-tokens'. */
  id: string;
  /** Equals the id's two-digit prefix; `tinyseek lesson N` opens it. */
  number: number;
  title: string;
  /** One or two sentences for the menu. */
  summary: string;
  /** Absolute path of the lesson folder, written `fileURLToPath(new URL('.', import.meta.url))` in index.ts. */
  dir: string;
  /**
   * Repository paths (relative to the repo root) of the modules the lesson's runs and checks use, e.g.
   * 'src/rl/grpo.ts'. While one is missing the lesson is hidden from the menu and skipped by `lessons
   * check`. For that to help, import such modules inside `run`/`check` (`await import(...)`), not at the
   * top of the manifest, so the registry still loads without them.
   */
  requires?: string[];
  steps: Step[];
}

export type Step = ProseStep | RunStep | CheckStep | ExerciseStep;

/** Markdown for the terminal: #/##/### headings, **bold**, *italic*, `code`, ``` blocks, - and 1. lists, > quotes. */
export interface ProseStep {
  kind: 'prose';
  title: string;
  markdown: string;
}

/** A hyperparameter the learner cycles with k (next value) and K (previous value) before re-running. */
export interface Knob {
  /** The key in `RunContext.knobs`, e.g. 'groupSize'. */
  name: string;
  /** What the learner sees, e.g. 'group size G'. */
  label: string;
  values: KnobValue[];
  /** One of `values`. */
  default: KnobValue;
}

export interface RunContext {
  /** Every knob of the step by name, at the value the learner chose (the defaults in `lessons check`). */
  knobs: Record<string, KnobValue>;
  budget: Budget;
  /** Aborted when the learner presses c/Esc: stop soon and return what you have (or throw). */
  signal: AbortSignal;
  /** Progress and metrics (plotted live when named in `chart.series`), or a log line. */
  report(e: RunEvent): void;
  /** Yields to the event loop so the player can redraw and read keys; call it between steps. */
  tick(): Promise<void>;
}

export type RunEvent =
  { kind: 'progress'; step: number; total: number; metrics?: Record<string, number> } | { kind: 'log'; text: string };

/** What a run found. Kept in the progress file, so a later check can be judged by it after a restart. */
export interface RunResult {
  /** Finite numbers only. */
  metrics: Record<string, number>;
  /** Shown after the run, one per line. */
  lines: string[];
}

export interface RunStep {
  kind: 'run';
  /** Needed when a check names this run (CheckStep.run); unique in the lesson. */
  id?: string;
  title: string;
  markdown: string;
  knobs?: Knob[];
  /** Metric names (from progress events) drawn live as lines of one chart. */
  chart?: { series: string[]; title?: string; yLabel?: string };
  run(ctx: RunContext): Promise<RunResult>;
}

export interface CheckStep {
  kind: 'check';
  title: string;
  question: string;
  options: string[];
  /**
   * The id of the run step whose result decides the answer. Placed before that run, the check is a
   * prediction: the learner's choice is recorded, and judged once the run has finished.
   */
  run?: string;
  /** Index of the right option, possibly computed from the named run's (finished) result. */
  answer(run: RunResult | undefined): number;
  /** Shown with the verdict. */
  explain: string | ((run: RunResult | undefined) => string);
}

export interface CheckOutcome {
  pass: boolean;
  /** On failure: the inputs, what came back and what was expected, never a bare diff. */
  message: string;
}

/** The failed outcome of an exercise file that lacks the function `name` its check calls: what it exports instead. */
export function missingExport(mod: Record<string, unknown>, name: string): CheckOutcome {
  const names = Object.keys(mod).filter((k) => k !== 'default');
  return {
    pass: false,
    message: `the file must export a function named ${name} (it exports: ${names.join(', ') || 'nothing'})`,
  };
}

export interface ExerciseStep {
  kind: 'exercise';
  title: string;
  markdown: string;
  /**
   * Path of the starter, relative to the lesson folder. The player copies it once to
   * `<workspace>/<lesson id>/<file name>` and imports that copy, so a starter must be self-contained
   * (no relative imports) and its file name unique in the lesson.
   */
  starter: string;
  /** Path of the reference solution (same rules); shown only after a pass. */
  solution: string;
  /** Judges the learner's module (its exports by name). A throw counts as a failure with its message. */
  check(mod: Record<string, unknown>): CheckOutcome | Promise<CheckOutcome>;
  hint: string;
}
