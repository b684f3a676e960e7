/**
 * Banned words an admin set with `/admin words`, compared as people read them: both the prompt and the stored
 * word are folded (compatibility forms, invisible characters, accents and case removed), so `n\u200Bude`,
 * `ｎｕｄｅ` or `NÜDE` cannot slip past `nude`. Letters and digits make words and everything else separates
 * them: whole words for scripts that separate words with spaces; inside the text for scripts that do not
 * (Chinese, Japanese, Thai: there a "word" has no boundary).
 */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]/u;

/**
 * Characters a reader does not see as part of a word: combining marks (accents, the dot of a decomposed `İ`) and
 * default-ignorable code points (zero-width spaces and joiners, the word joiner, BOM, soft hyphen, variation
 * selectors, …). They are removed, not turned into separators, so `nu\u00ADde` reads `nude`.
 */
const INVISIBLE = /[\p{M}\p{Default_Ignorable_Code_Point}]/gu;

/** A run of letters and digits: a word. Anything else (spaces, punctuation, `_`) separates words. */
const WORD = /[\p{L}\p{N}]+/gu;

/** Words that are already folded (plain lower-case ASCII letters and digits): the usual stored word needs no work. */
const PLAIN = /^[a-z0-9]+$/;

/**
 * `text` as people read it. NFKD is NFKC's compatibility mapping (full-width letters, ligatures, superscripts)
 * followed by canonical decomposition, so one pass does both and leaves accents as separate marks to drop;
 * Turkish `İ` becomes `I` plus a combining dot, so it ends up `i`. Marks are dropped after lower-casing because
 * lower-casing may itself add one (`İ`.toLowerCase() is `i` plus a dot). Greek final sigma is folded to σ, as
 * full case folding does, so `ΝΟΣ` and `νος` agree.
 */
function fold(text: string): string {
  return text.normalize('NFKD').toLowerCase().replace(INVISIBLE, '').replace(/ς/g, 'σ');
}

/** The words of already folded text, one space between each. */
function wordsOf(folded: string): string {
  return folded.match(WORD)?.join(' ') ?? '';
}

/** A word or phrase in the form it is compared in: folded, its words joined by single spaces. */
function comparable(word: string): string {
  return wordsOf(fold(word));
}

/**
 * A banned word as an admin typed it, normalised for storing and comparing: folded like prompts are, its words
 * joined by single spaces (`Red_Fox!` is stored as `red fox`). Empty when it has no letter or digit: such a
 * word could never match, so the admin is told rather than left with an entry that does nothing. Recomposed
 * (NFC) only so the stored text shows well (Korean syllables); matching folds it again.
 */
export function normaliseWord(word: string): string {
  return comparable(word).normalize('NFC');
}

/**
 * The first banned word found in `text`, as the admin wrote it (the entry of `words`), or undefined.
 * Runs on every prompt against up to a few hundred words: the text is folded and split into words once, single
 * words are a set look-up and phrases a substring search on the space-joined words, with no RegExp per word.
 * Stored words are folded again here, because entries stored before folding existed are only lower-cased.
 */
export function findBannedWord(text: string, words: readonly string[]): string | undefined {
  const joined = wordsOf(fold(text));
  // Spaces around both ends, so a phrase found in ` ${joined} ` as ` ${phrase} ` starts and ends on word edges.
  const padded = ` ${joined} `;
  const present = new Set(joined.split(' '));
  return words.find((word) => {
    const folded = PLAIN.test(word) ? word : comparable(word);
    if (!folded) return false;
    if (UNSPACED.test(folded)) return joined.includes(folded);
    if (folded.includes(' ')) return padded.includes(` ${folded} `);
    return present.has(folded);
  });
}
