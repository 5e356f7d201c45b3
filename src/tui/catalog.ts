// Loading the lesson registry: every manifest is validated (a malformed one is an InputError naming its
// file and the problem), lessons are ordered by number, and a lesson whose `requires` modules do not exist
// yet is set aside as hidden. The player, `tinyseek lessons` and `lessons check` all start here.
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lesson, Step } from './manifest.ts';
import { InputError } from '../core/errors.ts';
import { markdownProblems } from './markdown.ts';

/** The repository root (requires paths are relative to it). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

const ID = /^(\d{2})-[a-z0-9]+(-[a-z0-9]+)*$/;

const isStr = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
const isFn = (v: unknown): boolean => typeof v === 'function';

/** The manifest file a lesson came from, for error messages. */
export function lessonFile(lesson: Partial<Lesson>, root = repoRoot): string {
  if (typeof lesson.dir === 'string') {
    const file = join(lesson.dir, 'index.ts');
    const rel = relative(root, file);
    return rel.startsWith('..') || isAbsolute(rel) ? file : rel;
  }
  return `lessons/${typeof lesson.id === 'string' ? lesson.id : '?'}/index.ts`;
}

function stepProblems(lesson: Lesson, step: Step, runIds: Set<string>): string[] {
  const p: string[] = [];
  const s = step as unknown as Record<string, unknown>;
  if (!isStr(s['title'])) p.push('has no title');
  const md = (field: string) => {
    if (typeof s[field] !== 'string') p.push(`has no ${field}`);
    else for (const m of markdownProblems(s[field] as string)) p.push(`${field}: ${m}`);
  };
  switch (step.kind) {
    case 'prose':
      md('markdown');
      break;
    case 'run': {
      md('markdown');
      if (!isFn(step.run)) p.push('has no run() function');
      const names = new Set<string>();
      for (const k of step.knobs ?? []) {
        if (!isStr(k.name) || !isStr(k.label)) p.push('has a knob without a name or label');
        if (names.has(k.name)) p.push(`has two knobs named '${k.name}'`);
        names.add(k.name);
        if (!Array.isArray(k.values) || k.values.length === 0) p.push(`knob '${k.name}' has no values`);
        else if (!k.values.every((v) => typeof v === 'string' || Number.isFinite(v)))
          p.push(`knob '${k.name}' has a value that is not a finite number or a string`);
        else if (!k.values.includes(k.default))
          p.push(`knob '${k.name}' default ${JSON.stringify(k.default)} is not one of its values`);
      }
      if (
        step.chart !== undefined &&
        (!Array.isArray(step.chart.series) || step.chart.series.length === 0 || !step.chart.series.every(isStr))
      )
        p.push('chart.series must list at least one metric name');
      break;
    }
    case 'check':
      if (!isStr(step.question)) p.push('has no question');
      if (!Array.isArray(step.options) || step.options.length < 2 || !step.options.every(isStr))
        p.push('needs at least two options');
      else if (step.options.length > 9) p.push('has more than 9 options (the keys 1-9 pick one)');
      if (!isFn(step.answer)) p.push('has no answer() function');
      if (!isStr(step.explain) && !isFn(step.explain)) p.push('has no explanation');
      if (step.run !== undefined && !runIds.has(step.run))
        p.push(`names run '${step.run}', but no run step has that id`);
      break;
    case 'exercise':
      md('markdown');
      if (!isFn(step.check)) p.push('has no check() function');
      if (!isStr(step.hint)) p.push('has no hint');
      for (const f of ['starter', 'solution'] as const) {
        const path = step[f];
        if (!isStr(path)) p.push(`has no ${f} path`);
        else if (isAbsolute(path) || relative(lesson.dir, resolve(lesson.dir, path)).startsWith('..'))
          p.push(`${f} '${path}' must be inside the lesson folder`);
        else if (!existsSync(resolve(lesson.dir, path)) || !statSync(resolve(lesson.dir, path)).isFile())
          p.push(`${f} file '${path}' does not exist`);
      }
      break;
    default:
      p.push(`has an unknown kind ${JSON.stringify((step as { kind?: unknown }).kind)}`);
  }
  return p;
}

/** Throws an InputError for the first problem in a manifest. */
export function validateLesson(lesson: Lesson, root = repoRoot): void {
  if (typeof lesson !== 'object' || lesson === null)
    throw new InputError('lessons/index.ts: an entry of the registry is not a lesson object');
  const file = lessonFile(lesson, root);
  const fail = (msg: string): never => {
    throw new InputError(`lesson ${file}: ${msg}`);
  };
  const m = typeof lesson.id === 'string' ? ID.exec(lesson.id) : null;
  if (!m)
    fail(
      `id ${JSON.stringify(lesson.id)} must look like '01-tokens' (two digits, then lower-case words joined by '-')`,
    );
  if (lesson.number !== Number(m![1]))
    fail(`number ${JSON.stringify(lesson.number)} does not match the id '${lesson.id}'`);
  if (!isStr(lesson.title)) fail('has no title');
  if (typeof lesson.summary !== 'string') fail('has no summary');
  if (!isStr(lesson.dir) || !isAbsolute(lesson.dir) || !existsSync(lesson.dir))
    fail(`dir ${JSON.stringify(lesson.dir)} is not an existing absolute folder`);
  if (lesson.requires !== undefined && (!Array.isArray(lesson.requires) || !lesson.requires.every(isStr)))
    fail('requires must be a list of repository paths');
  if (!Array.isArray(lesson.steps) || lesson.steps.length === 0) fail('has no steps');
  const runIds = new Set<string>();
  const starters = new Set<string>();
  lesson.steps.forEach((s, k) => {
    if (s?.kind === 'run' && s.id !== undefined) {
      if (!isStr(s.id)) fail(`step ${k + 1}: run id must be a non-empty string`);
      if (runIds.has(s.id)) fail(`step ${k + 1}: two run steps have the id '${s.id}'`);
      runIds.add(s.id);
    }
    if (s?.kind === 'exercise' && isStr(s.starter)) {
      const name = s.starter.split(/[\\/]/).pop()!;
      if (starters.has(name))
        fail(`step ${k + 1}: two exercises use the starter file name '${name}' (workspace copies would collide)`);
      starters.add(name);
    }
  });
  lesson.steps.forEach((s, k) => {
    if (typeof s !== 'object' || s === null) fail(`step ${k + 1} is not a step object`);
    const problems = stepProblems(lesson, s, runIds);
    if (problems.length) fail(`step ${k + 1} (${s.kind} '${(s as { title?: string }).title ?? '?'}') ${problems[0]}`);
  });
}

export interface HiddenLesson {
  lesson: Lesson;
  /** The required paths that do not exist yet. */
  missing: string[];
}

export interface Catalog {
  /** Validated, ordered by number, with every required module present. */
  lessons: Lesson[];
  hidden: HiddenLesson[];
}

export function missingRequirements(lesson: Lesson, root = repoRoot): string[] {
  return (lesson.requires ?? []).filter((p) => !existsSync(resolve(root, p)));
}

/** Validates every lesson (the first problem throws), checks numbers are unique and splits off hidden ones. */
export function loadCatalog(all: Lesson[], root = repoRoot): Catalog {
  for (const l of all) validateLesson(l, root);
  const seen = new Map<number, Lesson>();
  for (const l of all) {
    const other = seen.get(l.number);
    if (other)
      throw new InputError(
        `lesson ${lessonFile(l, root)}: number ${l.number} is also used by ${lessonFile(other, root)}`,
      );
    seen.set(l.number, l);
  }
  const ordered = [...all].sort((a, b) => a.number - b.number);
  const lessons: Lesson[] = [];
  const hidden: HiddenLesson[] = [];
  for (const l of ordered) {
    const missing = missingRequirements(l, root);
    if (missing.length) hidden.push({ lesson: l, missing });
    else lessons.push(l);
  }
  return { lessons, hidden };
}
