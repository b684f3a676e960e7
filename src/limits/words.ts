/**
 * Banned words an admin set with `/admin words`: case-insensitive, whole words for scripts that separate words
 * with spaces; inside the text for scripts that do not (Chinese, Japanese: there a "word" has no boundary).
 */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]/u;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A banned word as an admin typed it, normalised for storing and comparing. */
export function normaliseWord(word: string): string {
  return word.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** The first banned word found in `text`, as the admin wrote it, or undefined. */
export function findBannedWord(text: string, words: readonly string[]): string | undefined {
  const haystack = text.toLowerCase();
  return words.find((word) => {
    if (!word) return false;
    if (UNSPACED.test(word)) return haystack.includes(word);
    return new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegExp(word)}(?![\\p{L}\\p{N}_])`, 'u').test(haystack);
  });
}
