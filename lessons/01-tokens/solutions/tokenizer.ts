// Reference solution: the tokenizer of tinyseek's toy world.
//
// At each position, first try the special tags (every vocabulary entry longer than one character); if one
// starts here, it is one token and we skip its whole text. Otherwise the character is a token of its own,
// or an error. '<' is not in the vocabulary by itself, so a text has exactly one way to be split, and
// decoding (joining the tokens' texts) gives the text back.

export function encode(text: string, vocab: readonly string[]): number[] {
  const specials = vocab.filter((t) => t.length > 1);
  const ids: number[] = [];
  let i = 0;
  while (i < text.length) {
    const tag = specials.find((t) => text.startsWith(t, i));
    if (tag !== undefined) {
      ids.push(vocab.indexOf(tag));
      i += tag.length;
      continue;
    }
    const id = vocab.indexOf(text[i]!);
    if (id < 0) throw new Error(`unknown character ${JSON.stringify(text[i])} at position ${i}`);
    ids.push(id);
    i += 1;
  }
  return ids;
}
