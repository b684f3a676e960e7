import http from 'node:http';
import type { Ctx } from './context';
import { badBody, type Reply } from './families';
import { route } from './routes';
import type { FaultMatch, FaultReply, SimRequest } from './types';

/**
 * The HTTP side: reads and records every request, applies down mode and injected faults, routes, answers.
 * Listens on 127.0.0.1 only.
 */

const MAX_BODY = 64 * 1024 * 1024;
const IMAGE_KEY = /base64|image|mask|source|target/i;
/** Approximate memory budget of the request log. */
const LOG_BYTES = 32 * 1024 * 1024;

/** Copy of a body for the request log with long image payloads cut to 100 characters; `size` tallies its bytes. */
function forLog(value: unknown, size: { bytes: number }, key = ''): unknown {
  size.bytes += 16;
  if (typeof value === 'string') {
    const kept = value.length > 100 && IMAGE_KEY.test(key) ? value.slice(0, 100) : value;
    size.bytes += kept.length * 2;
    return kept;
  }
  if (Array.isArray(value)) return value.map((item) => forLog(item, size, key));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = forLog(v, size, k);
    return out;
  }
  return value;
}

function flatHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

export class SimServer {
  readonly requests: SimRequest[] = [];
  readonly server: http.Server;
  down = false;
  private readonly faults: Array<{ match: FaultMatch; reply: FaultReply }> = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sizes = new WeakMap<SimRequest, number>();
  private logBytes = 0;

  constructor(private readonly ctx: Ctx) {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        ctx.s.log('simulator: handler error', { error: String(error) });
        if (!res.headersSent) this.send(res, { status: 500, body: { code: 9, description: '提交失败，系统异常' } });
        else res.destroy();
      });
    });
    this.server.keepAliveTimeout = 5000;
  }

  injectNext(match: FaultMatch, reply: FaultReply): void {
    this.faults.push({ match, reply });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY) {
          resolve(undefined);
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const { s } = this.ctx;
    const raw = await this.readBody(req);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const headers = flatHeaders(req.headers);
    let body: unknown;
    if (raw && raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        body = 'invalid';
      }
    }
    const size = { bytes: 0 };
    const entry: SimRequest = {
      method,
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      headers,
      body: body === 'invalid' ? forLog(raw?.toString('utf8').slice(0, 1000), size) : forLog(body, size),
      at: s.clock(),
      status: 0,
    };
    this.record(entry, size.bytes);
    if (raw === undefined) return this.send(res, { status: 413, raw: 'Payload Too Large' }, entry);
    if (this.down) {
      if (s.downMode === 'reset') {
        req.socket.destroy();
        return;
      }
      return this.send(res, { status: 503, raw: 'Service Unavailable', contentType: 'text/plain; charset=utf-8' }, entry);
    }
    const fault = this.takeFault(method, url.pathname);
    const normal = () => route(this.ctx, { method, path: url.pathname, headers, body }, () => badBody(s, url.pathname, s.clock()));
    if (fault) {
      if (fault.delayMs) await this.sleep(fault.delayMs);
      const processed = fault.process || fault.status === undefined ? await normal() : undefined;
      if (fault.destroySocket) {
        req.socket.destroy();
        return;
      }
      if (fault.status !== undefined) {
        const rawBody = fault.rawBody ?? (fault.body === undefined ? '' : undefined);
        return this.send(res, { status: fault.status, body: fault.body, raw: rawBody }, entry);
      }
      return this.send(res, processed!, entry);
    }
    this.send(res, await normal(), entry);
  }

  /** Appends to the log; drops the oldest entries beyond requestLogLimit entries or ~32 MB of bodies. */
  private record(entry: SimRequest, bodyBytes: number): void {
    const entryBytes = 600 + bodyBytes;
    this.sizes.set(entry, entryBytes);
    this.requests.push(entry);
    this.logBytes += entryBytes;
    const limit = this.ctx.s.requestLogLimit;
    const overCount = limit > 0 && this.requests.length > limit * 1.1;
    if (!overCount && this.logBytes <= LOG_BYTES) return;
    const target = overCount ? this.requests.length - limit : 0;
    let drop = 0;
    let bytes = this.logBytes;
    while (drop < this.requests.length - 1 && (drop < target || bytes > LOG_BYTES * 0.9)) {
      bytes -= this.sizes.get(this.requests[drop]!) ?? 300;
      drop++;
    }
    this.requests.splice(0, drop);
    this.logBytes = bytes;
  }

  resetRequests(): void {
    this.requests.length = 0;
    this.logBytes = 0;
  }

  private takeFault(method: string, path: string): FaultReply | undefined {
    const index = this.faults.findIndex(
      ({ match }) =>
        (!match.method || match.method.toUpperCase() === method) && (!match.pathIncludes || path.includes(match.pathIncludes)),
    );
    if (index < 0) return undefined;
    return this.faults.splice(index, 1)[0]!.reply;
  }

  private send(res: http.ServerResponse, reply: Reply, entry?: SimRequest): void {
    if (res.destroyed) return;
    let payload: Buffer | undefined;
    let contentType = reply.contentType;
    if (reply.raw !== undefined) payload = typeof reply.raw === 'string' ? Buffer.from(reply.raw) : reply.raw;
    else if (reply.body !== undefined) {
      payload = Buffer.from(JSON.stringify(reply.body));
      contentType ??= 'application/json; charset=utf-8';
    }
    if (reply.status === 204 || reply.status === 304) payload = undefined;
    const headers: Record<string, string> = {};
    if (payload && payload.length > 0 && contentType) headers['content-type'] = contentType;
    headers['content-length'] = String(payload?.length ?? 0);
    if (reply.location) headers.location = reply.location;
    res.writeHead(reply.status, headers);
    res.end(payload);
    if (entry) {
      entry.status = reply.status;
      this.ctx.s.log('simulator: request', { method: entry.method, path: entry.path, status: reply.status });
    }
  }

  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
