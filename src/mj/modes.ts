/** Midjourney's speed modes (MODE_ORDER below ranks them). */
export const MODES = ['fast', 'relax', 'turbo'] as const;
export type Mode = (typeof MODES)[number];

/**
 * Midjourney's speed modes in a prompt. A member may type `--turbo` (or `—turbo`, `–turbo`: phones and some
 * keyboards turn `--` into a dash) anywhere; the bot decides the mode and the API must see exactly one.
 * The flag ends at anything but a letter, digit or combining mark: `--turbo,` `--relax;` `—fast!` (even
 * `--turbo-ish`) are flags, since the API might read them as one and the cap must hold; `--fastidious`,
 * `--turbo2` are other words.
 */
const SPEED_FLAG = /(^|\s)(?:--|[—–])(fast|relax|turbo)(?![\p{L}\p{N}\p{M}])/giu;

/** Slowest first: a cap at `fast` turns `turbo` into `fast` and keeps `relax`. */
const MODE_ORDER: readonly Mode[] = ['relax', 'fast', 'turbo'];

/** The last speed flag typed in a prompt, if any (the member's choice when they picked no `mode`). */
export function typedMode(prompt: string): Mode | undefined {
  const flags = [...prompt.matchAll(SPEED_FLAG)];
  // NFKC as well as lower case: the `iu` match lets a long s (`--faſt`) stand for `s`, and it must still name a Mode.
  return flags.at(-1)?.[2]?.normalize('NFKC').toLowerCase() as Mode | undefined;
}

/**
 * The prompt without any speed flag. Punctuation typed right after a flag stays, attached to the word before it
 * (`a cat --turbo, red` becomes `a cat, red`), since it belongs to the sentence rather than to the flag.
 */
export function stripSpeedFlags(prompt: string): string {
  return prompt
    .replace(SPEED_FLAG, (flag: string, before: string, _mode: string, at: number, whole: string) => {
      const after = whole[at + flag.length];
      return after === undefined || /\s/.test(after) ? before : '';
    })
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
}

/** The prompt with exactly the one speed flag given (none when `mode` is undefined). */
export function withModeFlag(prompt: string, mode: Mode | undefined): string {
  const bare = stripSpeedFlags(prompt);
  return mode ? `${bare} --${mode}` : bare;
}

/** `mode`, or `fastest` when `mode` is faster than it. */
export function capMode(mode: Mode, fastest: Mode | undefined): Mode {
  if (!fastest) return mode;
  return MODE_ORDER.indexOf(mode) > MODE_ORDER.indexOf(fastest) ? fastest : mode;
}

/** The faster of two modes (a member with several roles gets the most generous cap). */
export function fasterMode(a: Mode, b: Mode): Mode {
  return MODE_ORDER.indexOf(a) >= MODE_ORDER.indexOf(b) ? a : b;
}
