import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger';
import { BodyGate, refusalStatus, type BodyRefusal } from './body';

/** Largest notifyHook body accepted: a task JSON is a few KB; base64 masks are stripped by sane servers. */
const MAX_NOTIFY_BYTES = 512 * 1024;
const NOTIFY_PATH = '/mj/notify/';

interface Health {
  ok: boolean;
  [key: string]: unknown;
}

export interface HttpServerOptions {
  port: number;
  host: string;
  /** Accepted secrets of the notifyHook path: the current one first, older ones while rotating. */
  notifySecrets: readonly string[];
  logger: Logger;
  health(): Promise<Health>;
  /** The APIs whose callbacks carry their name after the secret (every one but the default). */
  notifyUpstreams: readonly string[];
  /** A notifyHook callback (of the named API, else the default one) named this task id: a hint to poll it now. */
  onNotify(taskId: string, upstream: string | undefined): void;
  /** `GET /metrics`: Prometheus's text, on the same port as /healthz. */
  metrics?: () => Promise<{ contentType: string; text: string }>;
  /**
   * More pages (the region editor, the playground): true when it answered the request. A route reads a body only
   * through `bodies`, and only once the path, method and headers say it wants it.
   */
  routes?: (req: IncomingMessage, res: ServerResponse, path: string, bodies: BodyGate) => Promise<boolean>;
  /** Bodies held at once across every route (default 48 MiB, 16 bodies, 20 s each). */
  bodies?: BodyGate;
  clock?: () => number;
}

/** How long one /healthz answer is reused: probes from load balancers must not load the store. */
const HEALTH_CACHE_MS = 1_000;

/** The task id a callback names, if any: the rest of the body is never used (callbacks are hints). */
function callbackTaskId(body: Buffer): string | undefined {
  try {
    const id = (JSON.parse(body.toString('utf8')) as { id?: unknown } | null)?.id;
    if (typeof id === 'number' && Number.isSafeInteger(id)) return String(id);
    return typeof id === 'string' && /^[\w.-]{1,64}$/.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

/** A JSON answer (no body for 204 or an undefined body); `headers` add to or override the defaults. */
export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (status === 204 || body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

/**
 * An answer to a request whose body the route will not read (or not read to its end): the connection closes
 * after it, so what the client still sends is not read either.
 */
export function refuse(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, body, { connection: 'close' });
}

/** The answer to a body that was not read. */
export function refuseBody(res: ServerResponse, why: BodyRefusal, messages: Partial<Record<BodyRefusal, string>> = {}): void {
  const defaults: Record<BodyRefusal, string> = { 'too-large': 'body too large', busy: 'busy: try again shortly', timeout: 'body too slow', aborted: 'body incomplete' };
  refuse(res, refusalStatus[why], { error: messages[why] ?? defaults[why] }, );
}

/** Whether a request says its body is JSON (a body of another type is refused before it is read). */
export const isJson = (req: IncomingMessage): boolean => /^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '');

const sameSecret = (given: string, expected: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/** The bot's own HTTP server: `GET /healthz` always, and the notifyHook receiver. */
export function createHttpServer(options: HttpServerOptions): { server: Server; listen(): Promise<AddressInfo>; close(): Promise<void> } {
  const { logger } = options;
  const clock = options.clock ?? Date.now;
  let health: { at: number; answer: Promise<Health> } | undefined;
  const cachedHealth = () => {
    const now = clock();
    if (!health || now - health.at >= HEALTH_CACHE_MS) health = { at: now, answer: options.health() };
    return health.answer;
  };
  const bodies = options.bodies ?? new BodyGate({ maxBytes: 48 * 1024 * 1024, maxBodies: 16, deadlineMs: 20_000 });
  const server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (req.method === 'GET' && path === '/healthz') {
        const answer = await cachedHealth();
        return send(res, answer.ok ? 200 : 503, answer);
      }
      if (req.method === 'GET' && path === '/metrics' && options.metrics) {
        const { contentType, text } = await options.metrics();
        res.writeHead(200, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(text)) }).end(text);
        return;
      }
      if (path.startsWith(NOTIFY_PATH)) {
        // Unknown secrets and APIs look like unknown paths: nothing to learn by probing.
        const [given = '', upstream, ...rest] = path.slice(NOTIFY_PATH.length).split('/');
        const known = rest.length === 0 && (upstream === undefined || options.notifyUpstreams.includes(upstream));
        if (req.method !== 'POST' || !known || !options.notifySecrets.some((secret) => sameSecret(given, secret))) {
          return send(res, 404, { error: 'not found' });
        }
        // Callbacks are JSON; some clients send no type or label it as text. A form or a file is refused unread.
        const type = req.headers['content-type'];
        if (type !== undefined && !isJson(req) && !/^text\/plain\s*(;|$)/i.test(type)) return refuse(res, 415, { error: 'JSON only' });
        const body = await bodies.read(req, MAX_NOTIFY_BYTES);
        if (!Buffer.isBuffer(body)) return refuseBody(res, body);
        const taskId = callbackTaskId(body);
        if (taskId) options.onNotify(taskId, upstream);
        // The same answer whatever the body said: a caller learns nothing about which ids exist.
        return send(res, 200, {});
      }
      if (options.routes && (await options.routes(req, res, path, bodies))) return;
      return send(res, 404, { error: 'not found' });
    })().catch((err: unknown) => {
      logger.error({ err }, 'http request failed');
      if (!res.headersSent) refuse(res, 500, { error: 'internal error' });
    });
  });
  server.keepAliveTimeout = 5_000;
  // Slow clients cannot hold connections open: headers within 10 s, the whole request within 30 s.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.maxHeadersCount = 100;
  return {
    server,
    listen: () =>
      new Promise<AddressInfo>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port, options.host, () => resolve(server.address() as AddressInfo));
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
