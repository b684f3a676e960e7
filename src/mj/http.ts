import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent } from 'undici';
import type { Logger } from '../logger';
import { MjApiError } from './errors';
import { exchange } from '../net/exchange';
import { encodeJson, holdsImages } from './json-body';

export interface MjHttpOptions {
  baseUrl: string;
  apiKey: string | undefined;
  authHeader: 'mj-api-secret' | 'bearer';
  logger: Logger;
  timeoutMs?: number;
  /** Consecutive unavailable answers that open the circuit. */
  circuitThreshold?: number;
  circuitCooldownMs?: number;
  clock?: () => number;
  /** Every attempt's outcome, for the metrics: the endpoint (ids left out) and ok / refused / 5xx / network / circuit-open. */
  observe?: (endpoint: string, outcome: string) => void;
}

/** An API path as a metric label: no mode prefix, no ids (`/mj/task/:id/fetch`). */
const endpointOf = (path: string) => path.replace(/^.*?\/mj\//, '/mj/').replace(/\/task\/[^/]+\/(fetch|image-seed)/, '/task/:id/$1');

export interface HttpAnswer {
  status: number;
  /** The answer's JSON, undefined when it is empty or not JSON. */
  readonly body: unknown;
  text: string;
  retryAfterMs?: number;
}

/**
 * An answer whose JSON is parsed when first asked for: a poll whose text is the same as last time is not parsed at
 * all (client.ts, fetchTask).
 */
class TextAnswer implements HttpAnswer {
  private parsed: { value: unknown } | undefined;

  constructor(
    readonly status: number,
    readonly text: string,
    readonly retryAfterMs: number | undefined,
  ) {}

  get body(): unknown {
    if (!this.parsed) {
      let value: unknown;
      try {
        value = this.text.trim() ? JSON.parse(this.text) : undefined;
      } catch {
        value = undefined;
      }
      this.parsed = { value };
    }
    return this.parsed.value;
  }
}

export interface SendOptions {
  /** Safe to send again: reads, and list-by-condition. Submits are not (a retry could charge twice). */
  idempotent: boolean;
  timeoutMs?: number;
}

type CircuitState = 'closed' | 'open' | 'half-open';

/** Stops the bot from hammering a dead API: fail fast while open, let one probe through after the cooldown. */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private cooldownMs: number;
  private probing = false;
  state: CircuitState = 'closed';

  constructor(
    private readonly threshold: number,
    private readonly baseCooldownMs: number,
    private readonly clock: () => number,
  ) {
    this.cooldownMs = baseCooldownMs;
  }

  /** Whether a request may go out now. */
  allow(): boolean {
    if (this.state === 'closed') return true;
    if (this.state === 'open' && this.clock() - this.openedAt >= this.cooldownMs) this.state = 'half-open';
    if (this.state === 'half-open' && !this.probing) {
      this.probing = true;
      return true;
    }
    return false;
  }

  success(): void {
    this.failures = 0;
    this.probing = false;
    this.cooldownMs = this.baseCooldownMs;
    this.state = 'closed';
  }

  failure(): void {
    this.failures += 1;
    if (this.state === 'half-open') {
      this.probing = false;
      this.cooldownMs = Math.min(this.cooldownMs * 2, 60_000);
      this.open();
    } else if (this.failures >= this.threshold) {
      this.open();
    }
  }

  private open(): void {
    this.state = 'open';
    this.openedAt = this.clock();
  }
}

/** An API answer above this is garbage: the largest real one (100 tasks of list-by-condition) is well under 1 MB. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

const NOT_DELIVERED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/** A system or undici error code ('ECONNRESET', 'UND_ERR_…'); a DOMException's numeric code (a timeout's 23) is not one. */
function networkCode(error: unknown): string {
  const err = error as { code?: unknown; cause?: { code?: unknown } };
  const code = err.cause?.code ?? err.code;
  return typeof code === 'string' ? code : '';
}

function backoffMs(attempt: number, baseMs = 250, capMs = 4000): number {
  const exp = Math.min(capMs, baseMs * 2 ** attempt);
  return exp / 2 + Math.random() * (exp / 2);
}

export class MjHttp {
  readonly agent: Agent;
  readonly circuit: CircuitBreaker;
  private readonly origin: string;
  /** The base URL's path (a provider's `/mj-fast`, say), put before every API path. */
  private readonly pathPrefix: string;

  constructor(private readonly options: MjHttpOptions) {
    const base = new URL(options.baseUrl);
    this.origin = base.origin;
    this.pathPrefix = base.pathname.replace(/\/+$/, '');
    this.agent = new Agent({ connections: 32, keepAliveTimeout: 10_000, connect: { timeout: 10_000 } });
    this.circuit = new CircuitBreaker(
      options.circuitThreshold ?? 5,
      options.circuitCooldownMs ?? 10_000,
      options.clock ?? Date.now,
    );
  }

  private headers(hasBody: boolean): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (hasBody) headers['content-type'] = 'application/json';
    const key = this.options.apiKey;
    if (key) {
      if (this.options.authHeader === 'bearer') headers.authorization = `Bearer ${key}`;
      else headers['mj-api-secret'] = key;
    }
    return headers;
  }

  async send(method: 'GET' | 'POST', path: string, body: unknown, opts: SendOptions): Promise<HttpAnswer> {
    const maxAttempts = opts.idempotent ? 4 : 3;
    let lastError: MjApiError | undefined;
    for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
      if (!this.circuit.allow()) {
        this.options.observe?.(endpointOf(path), 'circuit-open');
        throw new MjApiError({ kind: 'unavailable', message: `circuit open, ${method} ${path} not sent`, notDelivered: true });
      }
      let answer: HttpAnswer | undefined;
      let retryAfterMs: number | undefined;
      try {
        answer = await this.once(method, path, body, opts.timeoutMs ?? this.options.timeoutMs ?? 20_000);
      } catch (error) {
        // An answer refused as garbage (too large) came from a live server: not a reason to retry or open the circuit.
        if (error instanceof MjApiError) throw error;
        const code = networkCode(error);
        const delivered = !NOT_DELIVERED.has(code);
        this.options.observe?.(endpointOf(path), 'network');
        lastError = new MjApiError({
          kind: 'unavailable',
          message: `${method} ${path} failed: ${code || (error as Error).name}`,
          notDelivered: !delivered,
          cause: error,
        });
        this.circuit.failure();
        // A submit that may have reached the server is never sent twice.
        if (!opts.idempotent && delivered) throw lastError;
      }
      if (answer) {
        this.options.observe?.(endpointOf(path), answer.status >= 500 ? '5xx' : answer.status === 429 ? '429' : answer.status >= 400 ? 'refused' : 'ok');
        if (answer.status >= 500) {
          this.circuit.failure();
          lastError = new MjApiError({ kind: 'unavailable', message: `${method} ${path} answered ${answer.status}`, httpStatus: answer.status });
          if (!opts.idempotent) return answer;
        } else if (answer.status === 429) {
          // A 429 is a refusal before any work was done, so even a submit may be sent again.
          this.circuit.success();
          retryAfterMs = answer.retryAfterMs;
          lastError = undefined;
          if (attempt === maxAttempts - 1) return answer;
        } else {
          this.circuit.success();
          return answer;
        }
      }
      if (attempt < maxAttempts - 1) await sleep(Math.min(retryAfterMs ?? backoffMs(attempt), 5000));
    }
    throw lastError ?? new MjApiError({ kind: 'unavailable', message: `${method} ${path} gave up` });
  }

  private async once(method: 'GET' | 'POST', path: string, body: unknown, timeoutMs: number): Promise<HttpAnswer> {
    const headers = this.headers(body !== undefined);
    let payload: string | Readable | undefined;
    if (body !== undefined && holdsImages(body)) {
      // Images are encoded while they are sent, chunk by chunk, from the member's bytes (json-body.ts).
      const encoded = encodeJson(body);
      headers['content-length'] = String(encoded.length);
      payload = Readable.from(encoded.chunks(), { objectMode: false });
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
    }
    const { status, headers: answerHeaders, bytes } = await exchange(this.agent, {
      origin: this.origin,
      path: `${this.pathPrefix}${path}`,
      method,
      headers,
      ...(payload === undefined ? {} : { body: payload }),
      timeoutMs,
      maxBytes: MAX_ANSWER_BYTES,
    });
    if (!bytes) throw new MjApiError({ kind: 'bad-response', message: `${method} ${path}: answer larger than ${MAX_ANSWER_BYTES} bytes` });
    const retryAfterMs = Number(answerHeaders['retry-after']) * 1000;
    return new TextAnswer(status, bytes.toString('utf8'), retryAfterMs > 0 ? retryAfterMs : undefined);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
