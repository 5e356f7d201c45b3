// The character vocabulary as Hugging Face tokenizer files, so `AutoTokenizer.from_pretrained` reads an exported
// model's directory: tokenizer.json (the `tokenizers` format: a WordLevel model over single characters, each
// character its own pre-token, the seven special tags as added tokens matched first, a Fuse decoder that joins
// tokens without spaces) and tokenizer_config.json. encode/decode then agree with tokenizer.ts: one token per
// character, "<think>" one token, no BOS added (tinyseek's prompts carry their own "<bos>").
import { BOS, EOS, PAD, SPECIAL_TOKENS, VOCAB } from './tokenizer.ts';

/** BOS, EOS and PAD are special (skipped by decode(skip_special_tokens=True)); the think/answer tags are text. */
const SKIPPED = new Set<string>([PAD, BOS, EOS]);

/** tokenizer.json for the character vocabulary. */
export function hfTokenizerJson(): object {
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: SKIPPED.has(content),
    })),
    normalizer: null,
    // Every character is its own piece ([\s\S] also matches the newline, which '.' would not).
    pre_tokenizer: { type: 'Split', pattern: { Regex: '[\\s\\S]' }, behavior: 'Isolated', invert: false },
    post_processor: null,
    decoder: { type: 'Fuse' },
    model: { type: 'WordLevel', vocab: Object.fromEntries(VOCAB.map((t, i) => [t, i])), unk_token: '<unk>' },
  };
}

/** tokenizer_config.json: a fast tokenizer over tokenizer.json, no BOS/EOS added on encode. */
export function hfTokenizerConfig(maxSeqLen: number): object {
  return {
    tokenizer_class: 'PreTrainedTokenizerFast',
    bos_token: BOS,
    eos_token: EOS,
    pad_token: PAD,
    add_bos_token: false,
    add_eos_token: false,
    clean_up_tokenization_spaces: false,
    model_max_length: maxSeqLen,
    padding_side: 'left',
  };
}
