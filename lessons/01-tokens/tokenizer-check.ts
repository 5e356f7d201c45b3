// The check for lesson 01's exercise: the learner's `encode(text, vocab)` against tinyseek's tokenizer
// (src/world/tokenizer.ts) on texts chosen to teach one thing each: plain characters, special tags, a whole
// training document, and characters outside the vocabulary (which must throw). On a failure it shows the
// text, the ids that came back (with the token each stands for), the expected ids, and why the case matters.
import { missingExport, type CheckOutcome } from '../../src/tui/manifest.ts';

interface Case {
  text: string;
  why: string;
  /** The text has a character outside the vocabulary: encode must throw. */
  throws?: boolean;
}

const show = (v: unknown): string =>
  Array.isArray(v) ? `[${v.map(show).join(', ')}]` : v === undefined ? 'undefined' : (JSON.stringify(v) ?? String(v));

export async function checkTokenizer(mod: Record<string, unknown>): Promise<CheckOutcome> {
  const f = mod['encode'];
  if (typeof f !== 'function') return missingExport(mod, 'encode');
  const world = await import('../../src/world/index.ts');
  const { VOCAB, encode } = world;
  const problem = { kind: 'add' as const, prompt: '37+45', answer: '82', difficulty: 2, numbers: [37, 45] };
  const doc = world.documentFor(problem, world.workedSolution(problem));
  const cases: Case[] = [
    { text: '12+7', why: 'digits and operators are one token each' },
    { text: 'so 82', why: 'letters and the space are tokens too' },
    { text: '<bos>q:3+4=?\na:<think>', why: 'a prompt: <bos> and <think> are ONE token each, not five and seven' },
    {
      text: '</think><answer>7</answer><eos>',
      why: 'closing tags start with "</", and "</think>" must not be read as "<" + ...',
    },
    { text: doc, why: 'a whole worked-solution document from the pretraining corpus' },
    { text: 'q:3×4', why: '"×" is not in the vocabulary: encode must throw, not return a made-up id', throws: true },
    { text: '<b>', why: '"<" alone is not a token, and "<b>" is not a tag: encode must throw', throws: true },
  ];
  const named = (ids: unknown): string =>
    Array.isArray(ids)
      ? ids
          .map((id) =>
            typeof id === 'number' && VOCAB[id] !== undefined ? `${id}=${JSON.stringify(VOCAB[id])}` : show(id),
          )
          .join(' ')
      : show(ids);
  for (const c of cases) {
    const call = `encode(${JSON.stringify(c.text)}, VOCAB)`;
    let got: unknown;
    try {
      got = (f as (t: string, v: readonly string[]) => unknown)(c.text, VOCAB);
    } catch (e) {
      if (c.throws) continue;
      return {
        pass: false,
        message: `${call} threw: ${e instanceof Error ? e.message : String(e)}\nwhy this case: ${c.why}`,
      };
    }
    if (c.throws)
      return {
        pass: false,
        message: `${call} returned ${show(got)}\nexpected it to throw an Error\nwhy this case: ${c.why}`,
      };
    const want = encode(c.text);
    if (show(got) !== show(want)) {
      return {
        pass: false,
        message: `${call} returned ${Array.isArray(got) ? got.length : '?'} ids: ${named(got)}\nexpected ${want.length} ids: ${named(want)}\nwhy this case: ${c.why}`,
      };
    }
  }
  return {
    pass: true,
    message: `all ${cases.length} texts match tinyseek's tokenizer. The worked document "${doc.replace(/\n/g, '\\n')}" is ${doc.length} characters and ${encode(doc).length} tokens.`,
  };
}
