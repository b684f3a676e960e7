import type { MemberPrefs } from '../store/records';

/**
 * A member's /settings and /prefer suffix as Midjourney parameters. Applied to every prompt that makes an image
 * (src/discord/start-task.ts), except parameters the prompt sets itself: what a member types wins over what they
 * set once. Pure: prompt and preferences in, prompt out.
 */

/** Model versions /settings offers, by the value stored, as the parameter Midjourney takes. */
export const VERSIONS = { '7': '--v 7', '6.1': '--v 6.1', '6': '--v 6', niji6: '--niji 6' } as const;
export type Version = keyof typeof VERSIONS;
export const isVersion = (value: unknown): value is Version => typeof value === 'string' && Object.hasOwn(VERSIONS, value);

/** Stylize presets: low, med, high, very high (Midjourney's /settings buttons). */
export const STYLIZE = [50, 100, 250, 750] as const;

/** Parameter names Midjourney reads as the same parameter. */
const ALIASES: Record<string, string> = {
  v: 'version',
  version: 'version',
  niji: 'version',
  s: 'stylize',
  stylize: 'stylize',
  style: 'style',
  ar: 'aspect',
  aspect: 'aspect',
  c: 'chaos',
  chaos: 'chaos',
  q: 'quality',
  quality: 'quality',
  w: 'weird',
  weird: 'weird',
  iw: 'iw',
  sref: 'sref',
  cref: 'cref',
  sw: 'sw',
  cw: 'cw',
  no: 'no',
  seed: 'seed',
  stop: 'stop',
  tile: 'tile',
  r: 'repeat',
  repeat: 'repeat',
  p: 'personalize',
  personalize: 'personalize',
  zoom: 'zoom',
};

const canonical = (name: string) => ALIASES[name.toLowerCase()] ?? name.toLowerCase();

/** A prompt as its text and its parameters (`--name value…` groups, from the first `--` on). Dashes phones type count. */
function split(prompt: string): { text: string; params: Array<{ name: string; raw: string }> } {
  const normalised = prompt.replace(/(^|\s)[—–](?=[a-z])/gi, '$1--');
  const first = normalised.search(/(^|\s)--[a-z]/i);
  if (first < 0) return { text: normalised.trim(), params: [] };
  const text = normalised.slice(0, first).trim();
  const params = [...normalised.slice(first).matchAll(/--([a-z]+)((?:\s+(?!--)\S+)*)/gi)].map((m) => ({ name: canonical(m[1]!), raw: m[0].trim() }));
  return { text, params };
}

/** The parameters the preferences add, before removing those a prompt sets. */
export function prefFlags(prefs: MemberPrefs): string[] {
  const flags: string[] = [];
  if (prefs.version && isVersion(prefs.version)) flags.push(VERSIONS[prefs.version]);
  if (prefs.stylize !== undefined) flags.push(`--stylize ${prefs.stylize}`);
  if (prefs.raw) flags.push('--style raw');
  return flags;
}

/**
 * The prompt as sent: its text, the suffix's text, its own parameters, then the suffix's and the settings'
 * parameters it does not set itself. Text stays before every parameter, where Midjourney reads it as text.
 */
export function applyPrefs(prompt: string, prefs: MemberPrefs | undefined): string {
  if (!prefs) return prompt;
  const own = split(prompt);
  const suffix = split(prefs.suffix ?? '');
  const set = new Set(own.params.map((p) => p.name));
  const added: string[] = [];
  for (const param of [...suffix.params, ...prefFlags(prefs).map((flag) => split(flag).params[0]!)]) {
    if (set.has(param.name)) continue;
    set.add(param.name);
    added.push(param.raw);
  }
  // Sent once already (an edited prompt of a task in remix mode): the suffix's text is not added twice.
  const suffixText = suffix.text && !own.text.endsWith(suffix.text) ? suffix.text : '';
  return [own.text, suffixText, ...own.params.map((p) => p.raw), ...added].filter(Boolean).join(' ');
}
