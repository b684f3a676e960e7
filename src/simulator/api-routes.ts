import { action, change, modal } from './action-tasks';
import { chatCompletion } from './chat';
import type { Ctx, MjRequest } from './request';
import { checkAuth, notFound, type Reply } from './families';
import { fetchTask, imageSeed, listAll, listByIds, listQueue, serveTaskImage, servePng, serveUpload, serveVideo } from './queries';
import { blend, describe, edits, imagine, shorten, swapFace, uploadImages, video } from './submit';
import type { SimMode, SimulatorFamily } from './sim-types';

/** Maps a request path to its handler, per family (which endpoints exist, mode prefixes, auth). */

interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  families: readonly SimulatorFamily[];
  handler: (ctx: Ctx, req: MjRequest, match: RegExpExecArray) => Reply;
  /** Submits (they may start tasks), for test support's switches (apiRoute). */
  submit?: boolean;
}

const ALL: readonly SimulatorFamily[] = ['open-source', 'trueai', 'reseller'];
const PLUS: readonly SimulatorFamily[] = ['trueai', 'reseller'];

const ROUTES: Route[] = [
  { method: 'POST', pattern: /^\/submit\/imagine$/, families: ALL, handler: imagine, submit: true },
  { method: 'POST', pattern: /^\/submit\/blend$/, families: ALL, handler: blend, submit: true },
  { method: 'POST', pattern: /^\/submit\/describe$/, families: ALL, handler: describe, submit: true },
  { method: 'POST', pattern: /^\/submit\/(simple-)?change$/, families: ['open-source', 'reseller'], handler: change, submit: true },
  { method: 'POST', pattern: /^\/submit\/shorten$/, families: PLUS, handler: shorten, submit: true },
  { method: 'POST', pattern: /^\/submit\/action$/, families: PLUS, handler: action, submit: true },
  { method: 'POST', pattern: /^\/submit\/modal$/, families: PLUS, handler: modal, submit: true },
  { method: 'POST', pattern: /^\/submit\/video$/, families: PLUS, handler: video, submit: true },
  { method: 'POST', pattern: /^\/submit\/edits$/, families: PLUS, handler: edits, submit: true },
  { method: 'POST', pattern: /^\/submit\/edit$/, families: ['trueai'], handler: edits, submit: true },
  { method: 'POST', pattern: /^\/submit\/upload-discord-images$/, families: PLUS, handler: uploadImages, submit: true },
  { method: 'POST', pattern: /^\/insight-face\/swap$/, families: PLUS, handler: swapFace, submit: true },
  { method: 'GET', pattern: /^\/task\/([^/]+)\/fetch$/, families: ALL, handler: (ctx, _req, m) => fetchTask(ctx, m[1]!) },
  { method: 'POST', pattern: /^\/task\/list-by-(condition|ids)$/, families: ALL, handler: (ctx, req) => listByIds(ctx, req.body) },
  { method: 'GET', pattern: /^\/task\/list$/, families: ['open-source', 'trueai'], handler: (ctx) => listAll(ctx) },
  { method: 'GET', pattern: /^\/task\/queue$/, families: ['open-source'], handler: (ctx) => listQueue(ctx) },
  { method: 'GET', pattern: /^\/task\/([^/]+)\/image-seed$/, families: PLUS, handler: (ctx, _req, m) => imageSeed(ctx, m[1]!) },
];

const PREFIX_MODES: Record<string, SimMode> = {
  'mj-fast': 'FAST',
  fast: 'FAST',
  'mj-relax': 'RELAX',
  relax: 'RELAX',
  'mj-turbo': 'TURBO',
  turbo: 'TURBO',
};

export interface IncomingCall {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** Parsed JSON body; undefined when empty, 'invalid' when it did not parse. */
  body: unknown;
}

/** The API route (below /mj) a path names on this family, with the mode of its prefix; 'absent' when it names none. */
function resolve(family: SimulatorFamily, path: string): { route: string; prefixMode: SimMode | undefined } | 'absent' {
  let m: RegExpExecArray | null;
  if ((m = /^\/mjvideo\/fetch\/([^/]+)$/.exec(path))) return { route: `/task/${m[1]}/fetch`, prefixMode: undefined };
  if (!(m = /^(?:\/([^/]+))?\/mj(\/.*)$/.exec(path))) return 'absent';
  const prefix = m[1];
  if (prefix === undefined) return { route: m[2]!, prefixMode: undefined };
  const mode = PREFIX_MODES[prefix.toLowerCase()];
  if (family === 'open-source' || (family === 'trueai' && !mode)) return 'absent';
  return { route: m[2]!, prefixMode: mode };
}

const find = (family: SimulatorFamily, method: string, route: string) =>
  ROUTES.find((r) => r.method === method && r.families.includes(family) && r.pattern.test(route));

/**
 * The API endpoint a call reaches on this family: its route below /mj, and whether it is a submit. Undefined for
 * files and for paths the family does not have. Test support decides its switches with it.
  * @public
 */
export function apiRoute(family: SimulatorFamily, method: string, path: string): { route: string; submit: boolean } | undefined {
  const resolved = resolve(family, path);
  const found = resolved === 'absent' ? undefined : find(family, method, resolved.route);
  return found && resolved !== 'absent' ? { route: resolved.route, submit: found.submit === true } : undefined;
}

/** Routes a request; `badBody` answers when a POST body is not JSON. */
export function route(ctx: Ctx, call: IncomingCall, badBody: () => Reply): Reply {
  const settings = ctx.s;
  const now = settings.clock();
  const { method, path } = call;
  let m: RegExpExecArray | null;
  // Files (anonymous, like CDN links).
  if (method === 'GET' || method === 'HEAD') {
    if ((m = /^\/images\/(\d+)\/([\w-]+)\.png$/.exec(path))) return servePng(ctx, m[1]!, m[2]!);
    if ((m = /^\/videos\/(\d+)\/0_(\d)\.mp4$/.exec(path))) return serveVideo(ctx, m[1]!, Number(m[2]));
    if ((m = /^\/uploads\/([\w.-]+)$/.exec(path))) return serveUpload(ctx, m[1]!);
    // A file that moved: `/redirect/<base64url of the target URL>` answers 302 to it (what CDNs do).
    if ((m = /^\/redirect\/([\w-]+)$/.exec(path))) return { status: 302, location: Buffer.from(m[1]!, 'base64url').toString('utf8') };
    if ((m = /^(?:\/[^/]+)?\/mj\/image\/(\d+)$/.exec(path)) && settings.family === 'reseller') return serveTaskImage(ctx, m[1]!);
  }
  // The chat API the providers sell beside Midjourney (the bot's translator), whatever the family.
  if (method === 'POST' && path === '/v1/chat/completions') return call.body === 'invalid' ? badBody() : chatCompletion(ctx, call.headers, call.body);
  const resolved = resolve(settings.family, path);
  if (resolved === 'absent') return notFound(settings, path, now);
  const denied = checkAuth(settings, call.headers);
  if (denied) return denied;
  const found = find(settings.family, method, resolved.route);
  if (!found) return notFound(settings, path, now);
  if (call.body === 'invalid') return badBody();
  const body = call.body && typeof call.body === 'object' && !Array.isArray(call.body) ? (call.body as Record<string, unknown>) : {};
  const req: MjRequest = { method, route: resolved.route, path, body, prefixMode: resolved.prefixMode };
  return found.handler(ctx, req, found.pattern.exec(resolved.route)!);
}
