/**
 * A prompt as the parts a translator may touch and the parts it must not: Midjourney reads its parameters, weights
 * and permutations by their exact spelling, and a link by its exact bytes, so only the words between them are
 * translated. Pure: prompt in, parts out, and back.
 */

/** Han, kana and hangul: the text Midjourney reads poorly (punctuation alone is not). */
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

export const hasCjk = (text: string): boolean => CJK.test(text);

/** The parameters start at the first `--name` (or a dash a phone typed for it), as src/prefs/flags.ts reads them. */
const PARAMETERS = /(^|\s)(--|[—–])[a-z]/i;

/** Kept byte for byte inside the text: links, `::` with its weight, and the braces and commas of `{a, b}`. */
const KEPT = /https?:\/\/\S+|::-?(?:\d+(?:\.\d+)?|\.\d+)?|[{},]/gi;

export interface PromptPart {
  text: string;
  /** Words with CJK in them, without the spaces around them (those are kept as they are). */
  translate: boolean;
}

/** Pushes a run of text: its spaces kept, its words translated when they hold CJK. */
function pushText(parts: PromptPart[], run: string): void {
  if (!run) return;
  const [, before = '', core = '', after = ''] = /^(\s*)([\s\S]*?)(\s*)$/.exec(run) ?? [];
  if (!hasCjk(core)) return void parts.push({ text: run, translate: false });
  if (before) parts.push({ text: before, translate: false });
  parts.push({ text: core, translate: true });
  if (after) parts.push({ text: after, translate: false });
}

/**
 * The parts of a prompt, in order: their texts joined give the prompt back exactly. Commas are structure only
 * inside braces (a permutation's options); elsewhere they are words like any other.
 */
export function promptParts(prompt: string): PromptPart[] {
  const at = prompt.search(PARAMETERS);
  const text = at < 0 ? prompt : prompt.slice(0, at);
  const parts: PromptPart[] = [];
  let depth = 0;
  let from = 0;
  for (const match of text.matchAll(KEPT)) {
    const token = match[0];
    if (token === ',' && depth === 0) continue;
    if (token === '{') depth += 1;
    if (token === '}') depth = Math.max(0, depth - 1);
    pushText(parts, text.slice(from, match.index));
    parts.push({ text: token, translate: false });
    from = match.index + token.length;
  }
  pushText(parts, text.slice(from));
  if (at >= 0) parts.push({ text: prompt.slice(at), translate: false });
  return parts;
}

/**
 * The prompt with each translated part replaced by its translation. Chinese needs no spaces where English does:
 * a translation right after a closing brace or before an opening one gets one, so `{红,蓝}鸟` reads `{red,blue} bird`.
 */
export function joinParts(parts: readonly PromptPart[], translated: (text: string) => string): string {
  let out = '';
  parts.forEach((part, i) => {
    if (!part.translate) return void (out += part.text);
    const english = translated(part.text);
    const next = parts[i + 1]?.text ?? '';
    out += `${out.endsWith('}') ? ' ' : ''}${english}${next.startsWith('{') ? ' ' : ''}`;
  });
  return out;
}
