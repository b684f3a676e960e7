import { escapeMarkdown as escapeDiscordMarkdown } from 'discord.js';

/** Cuts text to `max` characters on a word boundary where possible, marking the cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, Math.max(0, max - 1));
  const space = cut.lastIndexOf(' ');
  return `${space > max * 0.7 ? cut.slice(0, space) : cut}…`;
}

/** Escapes the `[` of every masked link: with an odd number of backslashes before it, it cannot open a link. */
function escapeBrackets(text: string): string {
  return text.replace(/(\\*)\[/g, (match, slashes: string) => (slashes.length % 2 === 0 ? `${slashes}\\[` : match));
}

/**
 * Makes text from members or the API inert in Markdown: no formatting, no headings or lists, no block quotes,
 * no masked links (`[Claim your Nitro](https://evil.example)` shows as text with its real address), no mass
 * mentions. discord.js escapes only the first of several masked links on a line, hence `escapeBrackets`.
 */
export function escapeMarkdown(text: string): string {
  const escaped = escapeDiscordMarkdown(text, { maskedLink: true, heading: true, bulletedList: true, numberedList: true });
  return escapeBrackets(escaped)
    .replace(/^(\s*)(>|-#)/gm, '$1\\$2')
    .replace(/@(everyone|here)/g, '@\u200b$1');
}

/** Escaped text cut to `max` characters without leaving a dangling backslash that would escape the ellipsis. */
export function truncateEscaped(text: string, max: number): string {
  const cut = truncate(text, max);
  if (cut === text) return cut;
  const body = cut.slice(0, -1);
  const slashes = /\\*$/.exec(body)?.[0].length ?? 0;
  return `${slashes % 2 ? body.slice(0, -1) : body}…`;
}

export function progressBar(percent: number, width = 12): string {
  const filled = Math.round((Math.max(0, Math.min(100, percent)) / 100) * width);
  return `${'▰'.repeat(filled)}${'▱'.repeat(width - filled)} ${percent}%`;
}

/**
 * "1️⃣ a\n\n2️⃣ b" → ['a', 'b']: the numbered prompts of describe and shorten results.
 * @internal
 */
export function numberedPrompts(text: string): string[] {
  const parts = text.split(/(?:^|\n)\s*(?:[1-9]\uFE0F?\u20E3|[1-9][.)])\s*/u);
  return parts
    .slice(1)
    .map((part) => part.trim())
    .filter(Boolean);
}

/** The parts of a describe or shorten result, as a member picks from them. */
export interface TextResult {
  /** "## Important tokens" of a shorten result ('' for describe). */
  tokens: string;
  /** The numbered prompts: 4 after describe, up to 5 after shorten. */
  prompts: string[];
  /** "## Details" of an extended shorten ("Show Details"), '' otherwise. */
  details: string;
}

/** Splits the text of a DESCRIBE (`1️⃣ …\n\n2️⃣ …`) or SHORTEN (`## Important tokens … ## Shortened prompts 1️⃣ …`) result. */
export function parseTextResult(text: string): TextResult {
  const shortened = /##\s*Shortened prompts/i.exec(text);
  const head = shortened ? text.slice(0, shortened.index) : '';
  let body = shortened ? text.slice(shortened.index + shortened[0].length) : text;
  const detailsAt = /##\s*Details/i.exec(body);
  const details = detailsAt ? body.slice(detailsAt.index + detailsAt[0].length).trim() : '';
  if (detailsAt) body = body.slice(0, detailsAt.index);
  const tokens = head.replace(/##\s*Important tokens/i, '').trim();
  return { tokens, prompts: numberedPrompts(body), details };
}
