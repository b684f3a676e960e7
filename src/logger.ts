import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';
import { Scrubber } from './secrets';

export type { Logger };

/**
 * Field names whose value is a secret at any depth of a logged object: tokens, API keys, authorization headers,
 * notify secrets, and the request bodies and files that discord.js errors carry.
 */
const SECRET_FIELDS = new Set(
  ['token', 'apiKey', 'DISCORD_TOKEN', 'MJ_API_KEY', 'TRANSLATE_KEY', 'authorization', 'mj-api-secret', 'interactionToken', 'notifyHook', 'requestBody', 'rawError', 'files'].map(
    (name) => name.toLowerCase(),
  ),
);
const CENSOR = '[redacted]';
/** Deeper than this a logged object is cut: log lines stay short, and a cycle cannot loop. */
const MAX_DEPTH = 5;

const SAFE_ERROR_FIELDS = ['code', 'status', 'method', 'kind', 'httpStatus', 'errno', 'syscall'] as const;

/**
 * What a value may be logged as. Errors by a whitelist, not as they are: discord.js errors hold the request URL
 * (with the interaction token), the request body and its files; undici errors may hold headers; their text is
 * scrubbed (src/secrets.ts). Other objects: secret fields censored at any depth, configured secret values
 * replaced in strings, bytes reduced to their length; copied only where something had to change, so a flat line
 * of ids and numbers (nearly every line) costs a look at each field and no allocation. Pino's own `redact`
 * option parsed every wildcard path again for every field of every line (pino 10).
 */
class Censor {
  constructor(private readonly scrubber: Scrubber) {}

  readonly error = (error: unknown, depth = 0): Record<string, unknown> => {
    const scrub = (text: string) => this.scrubber.scrub(text);
    if (!(error instanceof Error)) return { message: scrub(String(error)).slice(0, 2000) };
    const out: Record<string, unknown> = { type: error.name, message: scrub(error.message).slice(0, 2000) };
    if (error.stack) out.stack = scrub(error.stack).slice(0, 4000);
    const fields = error as unknown as Record<string, unknown>;
    for (const key of SAFE_ERROR_FIELDS) {
      const value = fields[key];
      if (typeof value === 'string' || typeof value === 'number') out[key] = typeof value === 'string' ? scrub(value) : value;
    }
    if (typeof fields.url === 'string') out.url = scrub(fields.url.split('?')[0] ?? '');
    if (error.cause !== undefined && depth < 3) out.cause = this.error(error.cause, depth + 1);
    return out;
  };

  value(value: unknown, depth: number): unknown {
    if (typeof value === 'string') return this.scrubber.scrubValues(value);
    if (typeof value !== 'object' || value === null) return value;
    if (value instanceof Error) return this.error(value);
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[${value.byteLength} bytes]`;
    if (depth >= MAX_DEPTH) return '[too deep]';
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      value.forEach((item, index) => {
        const out = this.value(item, depth + 1);
        if (out !== item) (copy ??= [...value])[index] = out;
      });
      return copy ?? value;
    }
    if (value instanceof Date || value instanceof URL) return value;
    return this.fields(value as Record<string, unknown>, depth);
  }

  /** `leave`: fields passed as they are (at the top, `err` and `error`, which their serializer reduces). */
  fields(object: Record<string, unknown>, depth: number, leave?: ReadonlySet<string>): Record<string, unknown> {
    let copy: Record<string, unknown> | undefined;
    for (const key in object) {
      if (!Object.hasOwn(object, key) || leave?.has(key)) continue;
      const item = object[key];
      const out = SECRET_FIELDS.has(key.toLowerCase()) ? CENSOR : this.value(item, depth + 1);
      if (out !== item) (copy ??= { ...object })[key] = out;
    }
    return copy ?? object;
  }
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
  /** Configured secrets (API keys, tokens): replaced wherever they appear in a line. */
  secrets?: Scrubber;
  /** Pretty output only for a person at a terminal; JSON otherwise (pipes, files, CI). */
  pretty?: boolean;
  destination?: NodeJS.WritableStream;
}

export function createLogger({ level, pretty = Boolean(process.stdout.isTTY), destination, secrets = new Scrubber() }: LoggerOptions): Logger {
  const censor = new Censor(secrets);
  const options = {
    level,
    base: { service: 'mj-bridge' },
    serializers: { err: censor.error, error: censor.error },
    formatters: { log: (object: Record<string, unknown>) => censor.fields(object, 0, SERIALIZED) },
    // The message itself, too: a configured secret never reaches a line by its text.
    ...(secrets.hasValues
      ? {
          hooks: {
            logMethod(this: Logger, args: unknown[], method: (...args: unknown[]) => void) {
              method.apply(this, args.map((arg) => (typeof arg === 'string' ? secrets.scrubValues(arg) : arg)));
            },
          },
        }
      : {}),
  };
  if (destination) return pino(options, destination as pino.DestinationStream);
  if (pretty && prettyAvailable()) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { ignore: 'pid,hostname,service' } } });
  }
  return pino(options);
}
