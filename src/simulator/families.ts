import type { Settings } from './sim-types';

/**
 * How the three server families answer: auth, envelopes, error shapes. They need only the family (and auth the
 * key), so test support answers its switches in the same shapes.
 */
type Family = Pick<Settings, 'family'>;

export interface Reply {
  status: number;
  /** Sent as JSON unless undefined. */
  body?: unknown;
  /** Sent as is (takes precedence over body). */
  raw?: string | Buffer;
  contentType?: string;
  /** Sent as a Location header (redirects). */
  location?: string;
}

export const DISCORD_INSTANCE_ID = '1118138338562560102';
export const DISCORD_CHANNEL_ID = '1118138338562560345';

export function json(body: unknown, status = 200): Reply {
  return { status, body };
}

function headerOf(headers: Record<string, string>, name: string): string {
  return headers[name]?.trim() ?? '';
}

/** undefined when the request may pass, else the family's 401 answer. */
export function checkAuth(s: Pick<Settings, 'family' | 'apiKey'>, headers: Record<string, string>): Reply | undefined {
  const key = s.apiKey;
  if (!key) return undefined;
  const secret = headerOf(headers, 'mj-api-secret');
  const authorization = headerOf(headers, 'authorization');
  switch (s.family) {
    case 'open-source':
      return secret === key ? undefined : { status: 401, raw: '' };
    case 'trueai': {
      // Authorization (raw value, no Bearer stripping) wins over mj-api-secret when present.
      const token = authorization || secret;
      return token === key ? undefined : { status: 401, raw: 'Authorization header missing.', contentType: 'text/plain; charset=utf-8' };
    }
    case 'reseller': {
      let token = authorization.replace(/^Bearer\s+/i, '').trim();
      if (!token || token === 'midjourney-proxy') token = secret;
      // new-api keys may carry "-<suffix>" parts after the key proper.
      if (token === key || token.startsWith(`${key}-`)) return undefined;
      const message = token ? '无效的令牌' : '未提供令牌';
      return json({ error: { message, type: 'new_api_error' } }, 401);
    }
  }
}

/** Answer for a path the family does not have. */
export function notFound(s: Family, path: string, now: number): Reply {
  switch (s.family) {
    case 'open-source':
      return json({ timestamp: new Date(now).toISOString(), status: 404, error: 'Not Found', path }, 404);
    case 'trueai':
      return { status: 404, raw: '' };
    case 'reseller':
      return { status: 404, raw: '404 page not found', contentType: 'text/plain; charset=utf-8' };
  }
}

/** Answer of a fetch for an unknown task id. */
export function unknownTask(s: Family): Reply {
  switch (s.family) {
    case 'open-source':
      return { status: 200, raw: '' };
    case 'trueai':
      return { status: 204, raw: '' };
    case 'reseller':
      return resellerError('task_no_found');
  }
}

export function resellerError(description: string, code = 4, status = 400): Reply {
  return json({ description, type: 'upstream_error', code }, status);
}

export interface SubmitOk {
  /** 1 accepted, 21 waiting for modal, 22 queued. */
  code: 1 | 21 | 22;
  /** Task id, or several comma-joined (PicReader::all). */
  result: string;
  description?: string;
  properties?: Record<string, unknown>;
  /** reseller: keep code 21 (Inpaint and CustomZoom); other 21s become 1. */
  keep21?: boolean;
}

export function submitOk(s: Family, ok: SubmitOk): Reply {
  const reseller = s.family === 'reseller';
  let code: number = ok.code;
  if (reseller && (code === 22 || (code === 21 && !ok.keep21))) code = 1;
  const description =
    ok.description ?? (ok.code === 21 ? 'Waiting for window confirm' : reseller ? 'Submit success' : '提交成功');
  return json({
    code,
    description,
    result: ok.result,
    properties: { discordInstanceId: DISCORD_INSTANCE_ID, discordChannelId: DISCORD_CHANNEL_ID, ...ok.properties },
  });
}

export interface SubmitFail {
  /** HTTP status for trueai (404 for code 3 on action/modal/seed, 400 for seed state errors). */
  taHttp?: number;
  properties?: Record<string, unknown>;
  /** reseller's own wording (e.g. 'task_not_found'); default: the upstream description. */
  resellerDescription?: string;
}

/** A submit the server refused with `code` (3, 4, 9, 23, 24, …). */
export function submitFail(s: Family, code: number, description: string, options: SubmitFail = {}): Reply {
  if (s.family === 'reseller') return resellerError(options.resellerDescription ?? description, code === 3 ? 4 : code);
  const status = s.family === 'trueai' ? (options.taHttp ?? 200) : 200;
  return json({ code, description, result: null, properties: options.properties ?? {} }, status);
}

/**
 * trueai's second envelope for limit errors on non-imagine endpoints (Filters/CustomLogicExceptionFilterAttribute).
 * @public
 */
export function trueaiEnvelope(message: string, now: number, status = 200): Reply {
  return json({ success: false, code: -1, message, timestamp: new Date(now).toISOString() }, status);
}

/** Answer for a body that is not valid JSON. */
export function badBody(s: Family, path: string, now: number): Reply {
  switch (s.family) {
    case 'open-source':
      return json({ timestamp: new Date(now).toISOString(), status: 400, error: 'Bad Request', path }, 400);
    case 'trueai':
      return trueaiEnvelope('请求参数错误', now);
    case 'reseller':
      return resellerError('bind_request_body_failed');
  }
}
