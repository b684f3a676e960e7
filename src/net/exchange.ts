import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';

export interface Exchange {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The whole answer; undefined when it is (or says it is) larger than `maxBytes`. */
  bytes: Buffer | undefined;
}

export interface ExchangeRequest {
  origin: string;
  path: string;
  method: 'GET' | 'POST' | 'PATCH';
  headers: Record<string, string>;
  body?: string | Buffer | Readable;
  /** The whole exchange, the answer's body included: a server that drips its answer is cut off like a silent one. */
  timeoutMs: number;
  maxBytes: number;
}

const timeoutError = () => new DOMException('The operation was aborted due to timeout', 'TimeoutError');

/**
 * One HTTP request and its whole answer, on undici's dispatcher directly. `undici.request` wraps every answer in a
 * stream and every deadline needs an AbortController; at hundreds of polls a second (an API without
 * list-by-condition) those were a good part of the bot's CPU (README, "Benchmark"). Here the answer's chunks are
 * collected as they come, and the deadline is one timer that aborts the exchange and ends with it.
 */
export function exchange(dispatcher: Dispatcher, request: ExchangeRequest): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    let controller: Dispatcher.DispatchController | undefined;
    let status = 0;
    let headers: Exchange['headers'] = {};
    let chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const finish = (error: Error | undefined, answer?: Exchange) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(answer!);
    };
    const tooLarge = () => {
      chunks = [];
      finish(undefined, { status, headers, bytes: undefined });
      controller?.abort(new Error('answer too large'));
    };
    const timer = setTimeout(() => {
      const error = timeoutError();
      finish(error);
      controller?.abort(error);
    }, request.timeoutMs);
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(ctl) {
        controller = ctl;
        if (settled) ctl.abort(timeoutError());
      },
      onResponseStart(ctl, statusCode, responseHeaders) {
        controller = ctl;
        status = statusCode;
        headers = responseHeaders;
        if (Number(responseHeaders['content-length'] ?? 0) > request.maxBytes) tooLarge();
      },
      onResponseData(_ctl, chunk) {
        if (settled) return;
        total += chunk.length;
        if (total > request.maxBytes) tooLarge();
        else chunks.push(chunk);
      },
      onResponseEnd() {
        finish(undefined, { status, headers, bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total) });
      },
      onResponseError(_ctl, error) {
        finish(error);
      },
    };
    try {
      dispatcher.dispatch(
        { origin: request.origin, path: request.path, method: request.method, headers: request.headers, body: request.body ?? null },
        handler,
      );
    } catch (error) {
      finish(error as Error);
    }
  });
}
