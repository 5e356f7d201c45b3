// Exercise: the tokenizer of tinyseek's toy world.
//
// `vocab` lists every token's text by id:
//   0 <pad>  1 <bos>  2 <eos>  3 <think>  4 </think>  5 <answer>  6 </answer>
//   7..16 '0'..'9'   17..24 + - * / ( ) = ?   25 space   26 newline   27 ':'   28..53 'a'..'z'
// Every character is one token, except the special tags: "<think>" is written with seven characters but
// is ONE token (id 3). A character that is not in the vocabulary ('<' alone, 'A', '×') has no id: throw an
// Error that names it.
//
// This version splits the text into characters and nothing more. Make it return the ids tinyseek's own
// tokenizer returns. Save the file: the player re-checks it.

export function encode(text: string, vocab: readonly string[]): number[] {
  return [...text].map((ch) => vocab.indexOf(ch));
}
