import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Who may use the playground. It acts as any member (an admin included) and can spend the configured API, so:
 * without PLAYGROUND_TOKEN it answers only requests addressed to this machine by a loopback name (a page on
 * another site cannot reach it through DNS rebinding, as its Host would be that site's name); with one, every
 * request must carry it (a cookie the page gets from `/?token=…`, or the `x-playground-token` header).
 */

/** `127.0.0.1`, `localhost`, `[::1]` (and the rest of 127/8), with or without a port. */
const LOOPBACK_HOST = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d{1,5})?$/i;
export const COOKIE = 'mj_playground';

const isLoopbackHost = (host: string | undefined): boolean => host !== undefined && LOOPBACK_HOST.test(host);

/** Whether an interface address (HTTP_HOST) is reachable from this machine only. */
export const isLoopbackInterface = (address: string): boolean => /^(?:localhost|127(?:\.\d{1,3}){3}|::1)$/i.test(address);

const same = (given: string, expected: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

function cookieToken(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === COOKIE) return value.join('=');
  }
  return undefined;
}

/** The token a request carries: the page's cookie, the header, or (on the page's own address) `?token=`. */
function tokenOf(req: IncomingMessage): string | undefined {
  const header = req.headers['x-playground-token'];
  if (typeof header === 'string') return header;
  const query = new URL(req.url ?? '/', 'http://playground').searchParams.get('token');
  return query ?? cookieToken(req);
}

/** Why a request may not use the playground (status and text), or undefined when it may. */
export function accessProblem(req: IncomingMessage, token: string | undefined): { status: number; error: string } | undefined {
  if (token) {
    const given = tokenOf(req);
    return given && same(given, token) ? undefined : { status: 401, error: 'this playground needs its token: open /?token=<PLAYGROUND_TOKEN>' };
  }
  return isLoopbackHost(req.headers.host) ? undefined : { status: 421, error: 'the playground answers only on 127.0.0.1, localhost or [::1]' };
}

/**
 * A write from another site (a form post, a fetch from a page elsewhere): refused whatever it carries. Browsers
 * send `Sec-Fetch-Site` and, on cross-origin posts, `Origin`; a request with neither is not from a browser page.
 */
export function crossSite(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return true;
  const origin = req.headers.origin;
  return origin !== undefined && origin !== `http://${req.headers.host ?? ''}` && origin !== `https://${req.headers.host ?? ''}`;
}
