import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Field names whose value is a secret at any depth of a logged object: tokens, API keys, authorization headers,
 * notify secrets, and the request bodies and files that discord.js errors carry.
 */
const SECRET_FIELDS = new Set(
  ['token', 'apiKey', 'DISCORD_TOKEN', 'MJ_API_KEY', 'authorization', 'mj-api-secret', 'interactionToken', 'notifyHook', 'requestBody', 'rawError', 'files'].map(
    (name) => name.toLowerCase(),
  ),
);
const CENSOR = '[redacted]';
/** Deeper than this a logged object is cut: log lines stay short, and a cycle cannot loop. */
const MAX_DEPTH = 5;

/** Path segments that are credentials: interaction/webhook tokens, the notifyHook secret. */
const SECRET_IN_TEXT: Array<[RegExp, string]> = [
  [/(\/(?:webhooks|interactions)\/\d+\/)[^/\s?"']+/g, '$1[redacted]'],
  [/(\/mj\/notify\/)[^/\s?"']+/g, '$1[redacted]'],
  // A Discord bot token (three dot-separated base64url parts) anywhere in a message.
  [/[\w-]{23,28}\.[\w-]{6}\.[\w-]{27,}/g, '[redacted]'],
  // File bytes sent as data-URLs never reach a log line in full.
  [/(data:[\w/+.-]+;base64,)[A-Za-z0-9+/=]{64,}/g, '$1…'],
];

function scrubText(text: string): string {
  return SECRET_IN_TEXT.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}

const SAFE_ERROR_FIELDS = ['code', 'status', 'method', 'kind', 'httpStatus', 'errno', 'syscall'] as const;

/**
 * Errors are logged by a whitelist, not as they are: discord.js errors hold the request URL (with the
 * interaction token), the request body and its files; undici errors may hold headers. Text is scrubbed.
 */
function serializeError(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: scrubText(String(error)).slice(0, 2000) };
  const out: Record<string, unknown> = { type: error.name, message: scrubText(error.message).slice(0, 2000) };
  if (error.stack) out.stack = scrubText(error.stack).slice(0, 4000);
  const fields = error as unknown as Record<string, unknown>;
  for (const key of SAFE_ERROR_FIELDS) {
    const value = fields[key];
    if (typeof value === 'string' || typeof value === 'number') out[key] = typeof value === 'string' ? scrubText(value) : value;
  }
  if (typeof fields.url === 'string') out.url = scrubText(fields.url.split('?')[0] ?? '');
  if (error.cause !== undefined && depth < 3) out.cause = serializeError(error.cause, depth + 1);
  return out;
}

/**
 * The value as it may be logged: secret fields censored, errors reduced to serializeError's whitelist, bytes to
 * their length. It is copied only where something had to change, so a flat line of ids and numbers (nearly every
 * line) costs a look at each field and no allocation. Pino's own `redact` option took about 30 µs and 29 KB per
 * line here: pino 10 parses every wildcard path again for every field of every line.
 */
function censored(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Error) return serializeError(value);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[${value.byteLength} bytes]`;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, index) => {
      const out = censored(item, depth + 1);
      if (out !== item) (copy ??= [...value])[index] = out;
    });
    return copy ?? value;
  }
  if (value instanceof Date || value instanceof URL) return value;
  return censoredFields(value as Record<string, unknown>, depth);
}

/** `leave`: fields passed as they are (at the top, `err` and `error`, which their serializer reduces). */
function censoredFields(object: Record<string, unknown>, depth: number, leave?: ReadonlySet<string>): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key in object) {
    if (!Object.hasOwn(object, key) || leave?.has(key)) continue;
    const item = object[key];
    const out = SECRET_FIELDS.has(key.toLowerCase()) ? CENSOR : censored(item, depth + 1);
    if (out !== item) (copy ??= { ...object })[key] = out;
  }
  return copy ?? object;
}

const SERIALIZED = new Set(['err', 'error']);

function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

export interface LoggerOptions {
  level: string;
  /** Pretty output only for a person at a terminal; JSON otherwise (pipes, files, CI). */
  pretty?: boolean;
  destination?: NodeJS.WritableStream;
}

export function createLogger({ level, pretty = Boolean(process.stdout.isTTY), destination }: LoggerOptions): Logger {
  const options = {
    level,
    base: { service: 'mj-bridge' },
    serializers: { err: serializeError, error: serializeError },
    formatters: { log: (object: Record<string, unknown>) => censoredFields(object, 0, SERIALIZED) },
  };
  if (destination) return pino(options, destination as pino.DestinationStream);
  if (pretty && prettyAvailable()) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { ignore: 'pid,hostname,service' } } });
  }
  return pino(options);
}
