/** Cuts text to `max` characters on a word boundary where possible, marking the cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, Math.max(0, max - 1));
  const space = cut.lastIndexOf(' ');
  return `${space > max * 0.7 ? cut.slice(0, space) : cut}…`;
}

/** Makes user text inert in Markdown: no mentions, no formatting surprises. */
export function escapeMarkdown(text: string): string {
  return text.replace(/([\\*_~`|>])/g, '\\$1').replace(/@(everyone|here)/g, '@\u200b$1');
}

export function progressBar(percent: number, width = 12): string {
  const filled = Math.round((Math.max(0, Math.min(100, percent)) / 100) * width);
  return `${'▰'.repeat(filled)}${'▱'.repeat(width - filled)} ${percent}%`;
}

export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** "1️⃣ a\n\n2️⃣ b" → ['a', 'b']: the numbered prompts of describe and shorten results. */
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
