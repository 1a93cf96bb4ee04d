// A Hugging Face tokenizer.json for a byte-level vocabulary where token id = byte value (0–255): GPT-2's byte-to-
// character mapping (ByteLevel pre-tokenizer and decoder) with a BPE model of the 256 byte characters and no merges.

/** GPT-2's reversible map from bytes to printable characters (printable Latin-1 map to themselves, others to 256+). */
export function byteToChar(): string[] {
  const printable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const chars: string[] = [];
  let next = 256;
  for (let b = 0; b < 256; b++) chars.push(String.fromCodePoint(printable(b) ? b : next++));
  return chars;
}

export function byteTokenizerJson(): object {
  const vocab: Record<string, number> = {};
  byteToChar().forEach((ch, id) => (vocab[ch] = id));
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: [],
    normalizer: null,
    pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: false, use_regex: false },
    post_processor: null,
    decoder: { type: "ByteLevel", add_prefix_space: false, trim_offsets: false, use_regex: false },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: [],
    },
  };
}

/** tokenizer_config.json beside it (the loader's second argument). */
export function byteTokenizerConfig(): object {
  return { tokenizer_class: "PreTrainedTokenizerFast", model_max_length: 256, clean_up_tokenization_spaces: false };
}
