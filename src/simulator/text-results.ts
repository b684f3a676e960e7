import { rngFor } from './pictures';

/** Deterministic texts for DESCRIBE and SHORTEN results. */

const KEYCAPS = ['1️⃣', '2️⃣', '3️⃣', '4️⃣', '5️⃣'];
const SUBJECTS = ['a red fox', 'a lighthouse', 'an old robot', 'a paper boat', 'a snowy forest', 'a city at dusk', 'a koi pond', 'a tiny dragon'];
const SCENES = ['on a misty hill', 'under a starry sky', 'in a sunlit meadow', 'beside a calm lake', 'in a neon alley', 'on a stormy coast'];
const STYLES = ['watercolor illustration', 'cinematic photograph', 'isometric 3d render', 'oil painting', 'ukiyo-e print', 'flat vector art'];
const LIGHTS = ['soft golden light', 'dramatic rim lighting', 'overcast diffuse light', 'warm lantern glow', 'cool moonlight'];

function pick<T>(list: readonly T[], rng: () => number): T {
  return list[Math.floor(rng() * list.length)] ?? list[0]!;
}

/** The four numbered prompts of a DESCRIBE, derived from `seed` (the image bytes' hash or link). */
export function describePrompts(seed: string, aspect: string): string[] {
  const rng = rngFor(`describe:${seed}`);
  return [0, 1, 2, 3].map(
    () => `${pick(SUBJECTS, rng)} ${pick(SCENES, rng)}, ${pick(STYLES, rng)}, ${pick(LIGHTS, rng)} --ar ${aspect}`,
  );
}

export function numbered(prompts: readonly string[]): string {
  return prompts.map((p, i) => `${KEYCAPS[i] ?? `${i + 1}.`} ${p}`).join('\n\n');
}

/** Splits a prompt into its words and its `--flags`. */
function splitPrompt(prompt: string): { words: string[]; flags: string } {
  const at = prompt.search(/\s--\w/);
  const body = at >= 0 ? prompt.slice(0, at) : prompt;
  const flags = at >= 0 ? prompt.slice(at).trim() : '';
  const words = body
    .split(/[\s,]+/)
    .map((w) => w.trim())
    .filter((w) => w.length > 0);
  return { words, flags };
}

const STOP = new Set(['a', 'an', 'the', 'of', 'in', 'on', 'at', 'and', 'with', 'to', 'for', 'by', 'is', 'very']);

export interface ShortenResult {
  text: string;
  prompts: string[];
}

/** "## Important tokens … ## Shortened prompts 1️⃣ … 5️⃣" for a prompt; `extended` adds "## Details". */
export function shortenPrompt(prompt: string, extended: boolean): ShortenResult {
  const { words, flags } = splitPrompt(prompt);
  const tokens = [...new Set(words.filter((w) => !STOP.has(w.toLowerCase())))];
  const important = tokens.length > 0 ? tokens : words.length > 0 ? words : [prompt.trim() || 'image'];
  const suffix = flags ? ` ${flags}` : '';
  const prompts = [1, 0.8, 0.6, 0.4, 0.25].map((share) => {
    const count = Math.max(1, Math.round(important.length * share));
    return `${important.slice(0, count).join(', ')}${suffix}`;
  });
  let text = `## Important tokens\n${important.join(', ')}\n\n## Shortened prompts\n${numbered(prompts)}`;
  if (extended) {
    const weights = important.map((t, i) => `${t}: ${Math.max(0.05, 1 - i * 0.13).toFixed(2)}`);
    text += `\n\n## Details\n${weights.join('\n')}`;
  }
  return { text, prompts };
}

/** The numbered items ("1️⃣ …") of a DESCRIBE or SHORTEN result, in order. */
export function numberedItems(text: string): string[] {
  const shortened = text.indexOf('## Shortened prompts');
  const from = shortened >= 0 ? text.slice(shortened) : text;
  const details = from.indexOf('## Details');
  const body = details >= 0 ? from.slice(0, details) : from;
  return [...body.matchAll(/^[1-9]\uFE0F\u20E3 (.+)$/gm)].map((m) => m[1]!.trim());
}
