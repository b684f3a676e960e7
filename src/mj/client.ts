import type { Mode } from './modes';
import type { ChangeAction } from './classic';
import type { Logger } from '../logger';
import { MjApiError, type MjErrorKind } from './errors';
import { MjHttp, type HttpAnswer } from './http';
import { stripSpeedFlags, withModeFlag } from './modes';
import type { ImageData } from './json-body';
import type { ProviderPreset } from './providers';
import { Scrubber } from '../secrets';
import {
  failureEnvelopeSchema,
  openAiErrorSchema,
  submitResultSchema,
  taskSchema,
  type MjTask,
} from './schemas';

/** Each task's last raw answer and its parse, by id: an unchanged answer is not parsed again (the poller keeps it). */
export type TaskMemo = Map<string, { raw: string; task: MjTask }>;

export interface MjClientOptions {
  baseUrl: string;
  apiKey: string | undefined;
  authHeader: 'mj-api-secret' | 'bearer';
  /** e.g. `/mj-{mode}`; undefined: the mode is written into the prompt as --fast/--relax/--turbo. */
  modePrefix: string | undefined;
  defaultMode: Mode | undefined;
  provider: ProviderPreset;
  logger: Logger;
  /** Replaces configured secrets in the API's own text (an error that echoes the request) before anyone sees it. */
  scrubber?: Scrubber;
  /** Every request's outcome, for the metrics (src/mj/http.ts). */
  observe?: (endpoint: string, outcome: string) => void;
  timeoutMs?: number;
  clock?: () => number;
}

/** Fields every submit accepts. */
export interface SubmitCommon {
  notifyHook?: string;
  state?: string;
}
export interface ImagineRequest extends SubmitCommon {
  prompt: string;
  base64Array?: ImageData[];
  botType?: 'MID_JOURNEY' | 'NIJI_JOURNEY';
}
export interface BlendRequest extends SubmitCommon {
  base64Array: ImageData[];
  dimensions?: 'PORTRAIT' | 'SQUARE' | 'LANDSCAPE';
}
export interface DescribeRequest extends SubmitCommon {
  base64?: ImageData;
  link?: string;
}
export interface ShortenRequest extends SubmitCommon {
  prompt: string;
}
export interface ActionRequest extends SubmitCommon {
  taskId: string;
  customId: string;
  enableRemix?: boolean;
}
/** Open-source midjourney-proxy: U/V/reroll of a grid (it has no /submit/action). */
export interface ChangeRequest extends SubmitCommon {
  taskId: string;
  action: ChangeAction;
  index?: number;
}
export interface ModalRequest extends SubmitCommon {
  taskId: string;
  prompt?: string;
  maskBase64?: string;
}
export interface VideoRequest extends SubmitCommon {
  prompt: string;
  /** A link, or the first frame itself. */
  image?: string | ImageData;
  motion?: 'low' | 'high';
  videoType?: 'vid_1.1_i2v_480' | 'vid_1.1_i2v_720';
  batchSize?: 1 | 2 | 4;
  action?: 'extend';
  taskId?: string;
  index?: number;
}
export interface EditsRequest extends SubmitCommon {
  prompt: string;
  image: ImageData;
}
export interface SwapFaceRequest extends SubmitCommon {
  sourceBase64: ImageData;
  targetBase64: ImageData;
}

/** A submit the server accepted: 1 (started), 22 (queued) or 21 (waiting for a modal confirmation). */
export interface Submitted {
  code: 1 | 21 | 22;
  taskId: string;
  /** Several ids when one action starts several tasks ("Imagine all"). */
  taskIds: string[];
  description: string;
  queuePosition: number | undefined;
  properties: Record<string, unknown>;
}

const NO_SECRETS = new Scrubber();
const LIMIT_TEXT = /上限|limit|封锁|quota|服务暂不可用/i;

function kindForCode(code: number, text: string): MjErrorKind {
  switch (code) {
    case 3:
      return 'not-found';
    case 4:
      if (/unknown_action|未知的\s*Action|不支持/i.test(text)) return 'unsupported';
      if (/task_no_?found|task_not_found/i.test(text)) return 'not-found';
      return LIMIT_TEXT.test(text) ? 'limit' : 'validation';
    case 9:
      if (/不支持/.test(text)) return 'unsupported';
      return /队列已满|queue/i.test(text) ? 'queue-full' : 'failure';
    case 23:
      return 'queue-full';
    case 24:
      return 'banned';
    case 30:
      return 'busy';
    default:
      return 'failure';
  }
}

/**
 * Turns any non-success answer into one MjApiError with the API's code and a readable cause.
 * @internal
 */
export function errorFromAnswer(answer: HttpAnswer, what: string, scrubber = NO_SECRETS): MjApiError {
  const { status, body } = answer;
  const failure = failureEnvelopeSchema.safeParse(body);
  // trueai's {success:false, code:-1} also fits the submit envelope: it must be recognised first.
  const envelope = failure.success ? submitResultSchema.safeParse(undefined) : submitResultSchema.safeParse(body);
  const openAi = openAiErrorSchema.safeParse(body);
  const rawText = envelope.success
    ? envelope.data.description
    : failure.success
      ? failure.data.message
      : openAi.success
        ? openAi.data.error.message
        : '';
  const said = scrubber.scrub(rawText);
  const description = said.trim();
  const code = envelope.success ? envelope.data.code : undefined;
  const base = { httpStatus: status, code, description, message: `${what}: HTTP ${status}${code === undefined ? '' : ` code ${code}`} ${said}`.trim() };
  if (status === 401 || status === 403) return new MjApiError({ ...base, kind: 'auth' });
  if (status === 429) return new MjApiError({ ...base, kind: 'busy' });
  if (status >= 500) return new MjApiError({ ...base, kind: 'unavailable' });
  if (envelope.success && Number.isFinite(envelope.data.code)) {
    const banned = envelope.data.properties.bannedWord;
    return new MjApiError({
      ...base,
      kind: kindForCode(envelope.data.code, rawText),
      bannedWord: typeof banned === 'string' && banned ? scrubber.scrub(banned) : undefined,
    });
  }
  if (failure.success) return new MjApiError({ ...base, kind: LIMIT_TEXT.test(rawText) ? 'limit' : 'failure' });
  if (status === 404 || status === 405) return new MjApiError({ ...base, kind: 'unsupported' });
  if (openAi.success) return new MjApiError({ ...base, kind: 'failure' });
  return new MjApiError({ ...base, kind: 'bad-response' });
}


/** One typed function per endpoint of the API family. */
export class MjClient {
  readonly http: MjHttp;

  constructor(readonly options: MjClientOptions) {
    this.http = new MjHttp({
      baseUrl: options.baseUrl,
      apiKey: options.apiKey,
      authHeader: options.authHeader,
      logger: options.logger,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.observe === undefined ? {} : { observe: options.observe }),
    });
  }

  get circuitState() {
    return this.http.circuit.state;
  }

  /** `/mj/...` with the speed-mode prefix when the provider selects modes by URL. */
  path(rest: string, mode?: Mode): string {
    const chosen = mode ?? this.options.defaultMode;
    const prefix = this.options.modePrefix && chosen ? this.options.modePrefix.replace('{mode}', chosen) : '';
    return `${prefix}/mj${rest}`;
  }

  /**
   * The prompt as the API must see it: whatever speed flags were typed are removed (the caller decided the
   * mode), and the mode goes into the prompt as one flag when the provider has no URL prefix for it.
   */
  private modePrompt(prompt: string, mode: Mode | undefined): string {
    return this.options.modePrefix ? stripSpeedFlags(prompt) : withModeFlag(prompt, mode ?? this.options.defaultMode);
  }

  private async submit(rest: string, body: object, mode: Mode | undefined, what: string): Promise<Submitted> {
    const clean = Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
    const answer = await this.http.send('POST', this.path(rest, mode), clean, { idempotent: false });
    const parsed = submitResultSchema.safeParse(answer.body);
    if (answer.status !== 200 || !parsed.success || ![1, 21, 22].includes(parsed.data.code)) {
      throw errorFromAnswer(answer, what, this.options.scrubber);
    }
    const { code, description, result, properties } = parsed.data;
    const ids = (Array.isArray(result) ? result.map(String) : String(result ?? '').split(','))
      .map((id) => id.trim())
      .filter(Boolean);
    const first = ids[0];
    if (!first) throw new MjApiError({ kind: 'bad-response', message: `${what}: no task id in answer`, code });
    const queued = Number(properties.numberOfQueues ?? /(\d+)/.exec(code === 22 ? description : '')?.[1]);
    return {
      code: code as 1 | 21 | 22,
      taskId: first,
      taskIds: ids,
      description: description.trim(),
      queuePosition: code === 22 && Number.isFinite(queued) ? queued : undefined,
      properties,
    };
  }

  submitImagine(request: ImagineRequest, mode?: Mode): Promise<Submitted> {
    return this.submit('/submit/imagine', { ...request, prompt: this.modePrompt(request.prompt, mode) }, mode, 'imagine');
  }
  submitBlend(request: BlendRequest, mode?: Mode): Promise<Submitted> {
    return this.submit('/submit/blend', request, mode, 'blend');
  }
  submitDescribe(request: DescribeRequest, mode?: Mode): Promise<Submitted> {
    return this.submit('/submit/describe', request, mode, 'describe');
  }
  submitShorten(request: ShortenRequest, mode?: Mode): Promise<Submitted> {
    return this.submit('/submit/shorten', request, mode, 'shorten');
  }
  submitAction(request: ActionRequest, mode?: Mode): Promise<Submitted> {
    return this.submit('/submit/action', request, mode, 'action');
  }
  submitChange(request: ChangeRequest, mode?: Mode): Promise<Submitted> {
    return this.submit('/submit/change', request, mode, 'change');
  }
  submitModal(request: ModalRequest, mode?: Mode): Promise<Submitted> {
    const prompt = request.prompt === undefined ? {} : { prompt: this.modePrompt(request.prompt, mode) };
    return this.submit('/submit/modal', { ...request, ...prompt }, mode, 'modal');
  }
  submitVideo(request: VideoRequest, mode?: Mode): Promise<Submitted> {
    return this.submit('/submit/video', { ...request, prompt: this.modePrompt(request.prompt, mode) }, mode, 'video');
  }
  submitEdits(request: EditsRequest, mode?: Mode): Promise<Submitted> {
    return this.submit('/submit/edits', { ...request, prompt: this.modePrompt(request.prompt, mode) }, mode, 'edits');
  }
  swapFace(request: SwapFaceRequest, mode?: Mode): Promise<Submitted> {
    return this.submit('/insight-face/swap', request, mode, 'swap face');
  }

  /**
   * The task now, or undefined when the server does not know it (empty 200, 204, 404, "task_no_found"); `memo` as in
   * listTasks.
   */
  async fetchTask(id: string, memo?: TaskMemo): Promise<MjTask | undefined> {
    const answer = await this.http.send('GET', this.path(`/task/${encodeURIComponent(id)}/fetch`), undefined, {
      idempotent: true,
    });
    // The same text as last time: the same task, not even parsed.
    const known = memo?.get(id);
    if (answer.status === 200 && known?.raw === answer.text) return this.withVideos(known.task);
    if (answer.status === 204 || answer.status === 404 || (answer.status === 200 && answer.body === undefined)) {
      return undefined;
    }
    if (answer.status !== 200) {
      const error = errorFromAnswer(answer, 'fetch', this.options.scrubber);
      if (error.kind === 'not-found') return undefined;
      throw error;
    }
    const task = this.parseRemembered(answer.body, memo, answer.text);
    return task ? this.withVideos(task) : undefined;
  }

  /** A finished video task whose links the provider keeps at its own path (YEScale leaves them out of task bodies). */
  private lacksVideos(task: MjTask): boolean {
    return Boolean(this.options.provider.videoFetchPath) && task.status === 'SUCCESS' && task.videoUrls.length === 0 && /VIDEO/i.test(task.action);
  }

  /** The task with its video links, fetched from the provider's video path where the task body lacks them. */
  async withVideos(task: MjTask): Promise<MjTask> {
    if (!this.lacksVideos(task)) return task;
    const fetched = await this.fetchVideo(task.id).catch(() => undefined);
    return fetched && fetched.videoUrls.length > 0 ? fetched : task;
  }

  /** YEScale serves finished videos from its own path. */
  async fetchVideo(id: string): Promise<MjTask | undefined> {
    const videoPath = this.options.provider.videoFetchPath;
    if (!videoPath) return undefined;
    const answer = await this.http.send('GET', videoPath.replace('{id}', encodeURIComponent(id)), undefined, { idempotent: true });
    return answer.status === 200 ? this.parseTask(answer.body) : undefined;
  }

  /**
   * All the given tasks the server knows, in one request. Throws kind 'unsupported' where the endpoint is missing.
   * `memo` (the poller's) keeps each task's last parse: a task whose raw answer did not change since the last poll
   * (most of them, most of the time) is not parsed again.
   */
  async listTasks(ids: string[], memo?: TaskMemo): Promise<MjTask[]> {
    const answer = await this.http.send('POST', this.path('/task/list-by-condition'), { ids }, { idempotent: true });
    if (answer.status !== 200) throw errorFromAnswer(answer, 'list-by-condition', this.options.scrubber);
    // Only "is it a list" here: each item is parsed on its own below (and only when it changed), so one
    // unreadable item costs that task, not the whole poll.
    const list = answer.body;
    if (!Array.isArray(list)) {
      throw new MjApiError({ kind: 'unsupported', message: 'list-by-condition did not answer a list', httpStatus: answer.status });
    }
    const tasks = list.map((item: unknown) => this.parseRemembered(item, memo)).filter((task): task is MjTask => task !== undefined);
    // Polled on every tick: only the rare finished video without links costs another request.
    return tasks.some((task) => this.lacksVideos(task)) ? Promise.all(tasks.map((task) => this.withVideos(task))) : tasks;
  }

  async imageSeed(id: string): Promise<string> {
    const answer = await this.http.send('GET', this.path(`/task/${encodeURIComponent(id)}/image-seed`), undefined, {
      idempotent: true,
      timeoutMs: 65_000,
    });
    const parsed = submitResultSchema.safeParse(answer.body);
    if (answer.status !== 200 || !parsed.success || parsed.data.code !== 1 || parsed.data.result == null) {
      throw errorFromAnswer(answer, 'image-seed', this.options.scrubber);
    }
    return String(parsed.data.result);
  }

  /** `text`: the answer's JSON text where the answer was only this item (a fetch); else the item is written out again. */
  private parseRemembered(item: unknown, memo: TaskMemo | undefined, text?: string): MjTask | undefined {
    const id = (item as { id?: unknown } | null)?.id;
    if (!memo || (typeof id !== 'string' && typeof id !== 'number')) return this.parseTask(item);
    const raw = text ?? JSON.stringify(item);
    const known = memo.get(String(id));
    if (known?.raw === raw) return known.task;
    const task = this.parseTask(item);
    if (task) memo.set(task.id, { raw, task });
    return task;
  }

  private parseTask(body: unknown): MjTask | undefined {
    const parsed = taskSchema.safeParse(body);
    if (!parsed.success) {
      this.options.logger.warn({ issues: parsed.error.issues.slice(0, 3) }, 'unreadable task in API answer');
      return undefined;
    }
    const task = parsed.data;
    // A fail reason may echo the request (the notifyHook URL, a key): shown on a public card, so scrubbed first.
    if (this.options.scrubber && task.failReason) task.failReason = this.options.scrubber.scrub(task.failReason);
    return task;
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
