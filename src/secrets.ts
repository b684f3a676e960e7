/**
 * Secrets in text that comes from outside (an API's error that echoes the request, a task's fail reason, an
 * error's message): configured secret values and secret-shaped parts are replaced before the text is shown to a
 * member or logged. One home for both, so the card, the private reply and the log line hide the same things.
 */
const CENSOR = '[redacted]';

/** Credentials recognisable by their shape, whatever their value. */
const SECRET_SHAPES: Array<[RegExp, string]> = [
  // Interaction and webhook tokens in Discord URLs; the notifyHook secret in its path.
  [/(\/(?:webhooks|interactions)\/\d+\/)[^/\s?"']+/g, `$1${CENSOR}`],
  [/(\/mj\/notify\/)[^/\s?"']+/g, `$1${CENSOR}`],
  // A Discord bot token (three dot-separated base64url parts) anywhere in a message.
  [/[\w-]{23,28}\.[\w-]{6}\.[\w-]{27,}/g, CENSOR],
  // A bare interaction token ("interaction:" in base64, then the rest).
  [/aW50ZXJhY3Rpb246[\w-]{16,}/g, CENSOR],
  // File bytes sent as data-URLs never reach a log line in full.
  [/(data:[\w/+.-]+;base64,)[A-Za-z0-9+/=]{64,}/g, '$1…'],
];

/** Values shorter than this are not treated as secrets: replacing them would mangle ordinary text. */
const MIN_SECRET = 8;

export class Scrubber {
  private readonly values: string[];

  /** `values`: every configured secret (API keys, the bot token, notify secrets, the playground token). */
  constructor(values: Iterable<string | undefined> = []) {
    const kept = new Set<string>();
    for (const value of values) if (value && value.length >= MIN_SECRET) kept.add(value);
    // Longest first: a secret that contains another is replaced whole.
    this.values = [...kept].sort((a, b) => b.length - a.length);
  }

  /** Whether any secret value was configured (without one, only shapes are scrubbed). */
  get hasValues(): boolean {
    return this.values.length > 0;
  }

  /** The text with configured secret values and secret-shaped parts replaced. */
  scrub(text: string): string {
    let out = this.scrubValues(text);
    for (const [pattern, replacement] of SECRET_SHAPES) out = out.replace(pattern, replacement);
    return out;
  }

  /** Only the configured values: cheap enough for every string of every log line (a few `includes`). */
  scrubValues(text: string): string {
    let out = text;
    for (const value of this.values) if (out.includes(value)) out = out.split(value).join(CENSOR);
    return out;
  }
}
