import type { IncomingMessage } from 'node:http';

/** Why a body was not read: larger than its route takes, no room right now, too slow, or the client went away. */
export type BodyRefusal = 'too-large' | 'busy' | 'timeout' | 'aborted';

export interface BodyGateOptions {
  /** Bytes of request bodies held at once, across every route: more waits for nothing and is answered 503. */
  maxBytes: number;
  /** Bodies being read at once. */
  maxBodies: number;
  /** How long one body may take to arrive. */
  deadlineMs: number;
}

/** The status a refusal is answered with. */
export const refusalStatus: Record<BodyRefusal, number> = { 'too-large': 413, busy: 503, timeout: 408, aborted: 400 };

/**
 * Every request body the bot's HTTP server reads goes through one gate: a route reads a body only after it has
 * decided, from the path, method and headers, that it wants it (routes/server.ts), and then at most its own
 * limit, within a deadline, while the bytes and bodies held across all routes stay bounded. A flood of large
 * posts gets 413/503 answers instead of the heap.
 */
export class BodyGate {
  private bytes = 0;
  private bodies = 0;

  constructor(private readonly options: BodyGateOptions) {}

  get inUse(): { bytes: number; bodies: number } {
    return { bytes: this.bytes, bodies: this.bodies };
  }

  /**
   * The body, or why not. The declared length (or, without one, the whole limit) is taken from the budget before
   * the first byte is read and given back once the promise settles: the caller parses it before it reads another.
   */
  async read(req: IncomingMessage, limit: number): Promise<Buffer | BodyRefusal> {
    const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
    if (declared !== undefined && !(declared >= 0 && declared <= limit)) return 'too-large';
    const held = declared ?? limit;
    if (this.bodies >= this.options.maxBodies || this.bytes + held > this.options.maxBytes) return 'busy';
    this.bodies += 1;
    this.bytes += held;
    try {
      return await readBody(req, limit, this.options.deadlineMs);
    } finally {
      this.bodies -= 1;
      this.bytes -= held;
    }
  }
}

/** Reads a body of at most `limit` bytes within `deadlineMs` (servers that face only this machine use it alone). */
export function readBody(req: IncomingMessage, limit: number, deadlineMs = 20_000): Promise<Buffer | BodyRefusal> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: Buffer | BodyRefusal) => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onError);
      // A body not read to its end is not wanted: the connection closes after the answer.
      if (!Buffer.isBuffer(result)) req.resume();
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) finish('too-large');
      else chunks.push(chunk);
    };
    const onEnd = () => finish(Buffer.concat(chunks, size));
    const onError = () => finish('aborted');
    const timer = setTimeout(() => finish('timeout'), deadlineMs);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onError);
  });
}
