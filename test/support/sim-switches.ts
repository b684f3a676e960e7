import type { MjSimulator, SimCall, SimCallback, SimHooks, SimReply, SimTaskRecord, SimTaskView } from '../../src/simulator';
import { checkAuth, notFound, resellerError, submitFail, trueaiEnvelope } from '../../src/simulator/families';
import { dummyMp4 } from '../../src/simulator/media';
import { apiRoute } from '../../src/simulator/api-routes';

/**
 * The switches tests flip on the built-in simulator, which itself only ever serves the happy path: queue limits,
 * failures, stalls, provider quirks, callbacks late, twice or out of order. Built on the simulator's hooks: requests
 * (answered before, instead of or after the simulator), tasks as they are queued and as they are read, and callbacks.
 * Answers keep each family's shapes (src/simulator/families.ts).
 */

export interface Switches {
  /** false: /mj/task/list-by-condition (and -ids) answer 404. */
  listByCondition: boolean;
  /** true: every /submit/action asks for remix (`enableRemix`), as an account in remix mode answers. */
  remix: boolean;
  /** Extra delay (ms) before each notifyHook callback. */
  notifyDelayMs: number;
  /** Every notifyHook callback is sent twice. */
  notifyDuplicate: boolean;
  /** notifyHook callbacks out of order: each up to 3 ticks late, those due together sent in reverse. */
  notifyShuffle: boolean;
  /** Prompts containing one of these words (any case) end FAILURE halfway through the run. */
  failPrompts: string[];
  /** Banned words: open-source answers code 24, the others accept and end FAILURE "可能包含敏感词" when the run would start. */
  bannedWords: string[];
  /** With this many tasks queued or running, new submits answer code 22 "排队中，前面还有N个任务" (properties.numberOfQueues
   *  = N) and stay NOT_START until a slot would be free. */
  queueFullAfter: number;
  /** How many tasks may wait beyond queueFullAfter; more are refused: code 23 (open-source) or 9 "提交失败，队列已满，请稍后重试"
   *  (trueai, reseller). 0 = refuse as soon as the limit is reached. */
  queueSize: number;
  /** trueai: the user's concurrency limit is reached → imagine answers code 4 "并发数已达上限", the other submits HTTP 200
   *  {success:false, code:-1, message}. */
  limitReached: boolean;
  /** reseller: submits answer HTTP 429 {code:30, description:'当前分组负载已饱和', type:'upstream_error'}. */
  saturated: boolean;
  /** reseller: submits answer HTTP 400 {code:4, description:'quota_not_enough'}. */
  quotaExhausted: boolean;
  /** reseller: submit answers carry `result` as a JSON number. */
  numericIds: boolean;
  /** reseller: imageUrl points at `${url}/mj/image/{id}` (+`?rand=` while running), like new-api's MjForwardUrlEnabled. */
  forwardImageUrls: boolean;
  /** trueai: `imageUrls` holds the four tiles of every grid (TA's EnableFillOfficialCdn). */
  fillImageUrls: boolean;
  /** false: the account cannot edit (trueai with Discord accounts): /submit/edits answers code 9 "当前账号不支持编辑/重绘任务"
   *  (resellers pass it on as HTTP 400). */
  editsSupported: boolean;
  /** false: no InsightFace token configured: /insight-face/swap answers code 4 "服务不支持". */
  faceSwapSupported: boolean;
  /** Delay (ms) before /mj/task/{id}/image-seed answers. */
  seedDelayMs: number;
  /** reseller, like YEScale: task bodies carry no video links; only GET /mjvideo/fetch/{id} has them. */
  videoFetchOnly: boolean;
  /** Size in bytes of each served .mp4; undefined: the simulator's own (4096). */
  videoBytes: number | undefined;
}

/** Timing of the tasks queued from now on; unset: the simulator's own options. */
export interface Timing {
  queueMs?: number;
  runMs?: number;
  progressSteps?: number;
}

export const SWITCHES: Readonly<Switches> = {
  listByCondition: true,
  remix: false,
  notifyDelayMs: 0,
  notifyDuplicate: false,
  notifyShuffle: false,
  failPrompts: [],
  bannedWords: ['badword'],
  queueFullAfter: Infinity,
  queueSize: Infinity,
  limitReached: false,
  saturated: false,
  quotaExhausted: false,
  numericIds: false,
  forwardImageUrls: false,
  fillImageUrls: false,
  editsSupported: true,
  faceSwapSupported: true,
  seedDelayMs: 0,
  videoFetchOnly: false,
  videoBytes: undefined,
};

/** Result URLs of a finished task, as a test wants the API to report them. */
export interface ResultOverride {
  imageUrl?: string;
  imageUrls?: string[];
  videoUrls?: string[];
}

/** What a test did to one task. */
interface TaskFaults {
  /** failTask(): FAILURE from `at` on. */
  failed?: { reason: string; at: number };
  /** A failure decided when it was queued (banned word, failPrompts), this long after queuedAt. */
  planned?: { reason: string; atElapsed: number };
  /** stall(): its clock stands still since then. */
  stalledAt?: number;
}

/** A submit under the queue limits: refused, or queued behind `ahead` others, `slotsAhead` runs later. */
type Admission = { refuse: true } | { refuse: false; ahead: number; slotsAhead: number };

/** Callbacks out of order are due within this many ms (3 ticks of the simulator's notifier). */
const SHUFFLE_MS = 300;
const TERMINAL = new Set(['SUCCESS', 'FAILURE']);

const str = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '');
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export class SimSwitches {
  readonly settings: Switches = { ...SWITCHES };
  readonly timing: Timing = {};
  /** notifyHook callbacks sent so far (the benchmark's transport floor counts them). */
  callbacksSent = 0;
  private sim: MjSimulator | undefined;
  private readonly faults = new Map<string, TaskFaults>();
  /** setResult(): what finished tasks report instead of their own links. */
  private readonly results = new Map<string, ResultOverride>();
  /** Tasks queued and not yet seen finished: the queue limits count them. */
  private readonly inQueue = new Set<string>();
  /** The submit being routed now under the queue limits, and the tasks it queued. */
  private admitting: { admission: Admission; queued: SimTaskRecord[] } | undefined;
  /** MODAL tasks whose queueing was refused: the MODAL callback their queueing would cause is not sent. */
  private readonly unqueued = new Set<string>();
  private shuffled: Array<{ due: number; send: () => void }> = [];
  private shuffleTimer: NodeJS.Timeout | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly videos = new Map<number, Buffer>();

  constructor(private readonly apiKey: string | undefined) {}

  /** The simulator these switches act on, once it runs. */
  attach(sim: MjSimulator): void {
    this.sim = sim;
  }

  private get family() {
    return this.running.family;
  }

  private get running(): MjSimulator {
    if (!this.sim) throw new Error('the simulator is not running yet');
    return this.sim;
  }

  configure(patch: Partial<Switches> & Timing): void {
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined && key !== 'videoBytes') continue;
      if (key in SWITCHES) Object.assign(this.settings, { [key]: value });
      else if (key === 'queueMs' || key === 'runMs' || key === 'progressSteps') Object.assign(this.timing, { [key]: value });
      else throw new Error(`unknown simulator switch: ${key}`);
    }
  }

  /** The hooks on tasks and callbacks (requests come through handle(), below the request log and faults). */
  readonly hooks: Pick<SimHooks, 'queued' | 'view' | 'callback'> = {
    queued: (task) => this.queued(task),
    view: (task, now, own) => this.view(task, now, own),
    callback: (callback, send) => this.callback(callback, send),
  };

  // Requests.

  /** Answers a request with the switches applied; `normal` is the simulator's own answer. */
  async handle(call: SimCall, normal: (call?: SimCall) => Promise<SimReply>): Promise<SimReply> {
    const authorized = call.raw !== undefined && call.body !== 'invalid' && !checkAuth({ family: this.family, apiKey: this.apiKey }, call.headers);
    const api = authorized ? apiRoute(this.family, call.method, call.path) : undefined;
    const body = isRecord(call.body) ? call.body : {};
    if (api) {
      const refused = await this.before(call, api, body);
      if (refused) return refused;
    }
    const asked = api?.route === '/submit/action' && this.settings.remix ? { ...call, body: { ...body, enableRemix: true } } : call;
    const reply = api?.submit ? await this.admit(api.route, () => normal(asked)) : await normal(asked);
    return this.after(call, api, reply);
  }

  /** What a switch answers instead of the simulator, in the order the servers check (after auth and routing). */
  private async before(call: SimCall, api: { route: string; submit: boolean }, body: Record<string, unknown>): Promise<SimReply | undefined> {
    const s = this.settings;
    const family = { family: this.family };
    const now = this.running.now();
    if (/^\/task\/list-by-/.test(api.route) && !s.listByCondition) return notFound(family, call.path, now);
    if (/^\/task\/[^/]+\/image-seed$/.test(api.route) && s.seedDelayMs > 0) await this.sleep(s.seedDelayMs);
    if (!api.submit) return undefined;
    if (this.family === 'reseller' && s.saturated) return resellerError('当前分组负载已饱和', 30, 429);
    if (this.family === 'reseller' && s.quotaExhausted) return resellerError('quota_not_enough');
    const prompt = str(body.prompt).trim();
    if (this.family === 'trueai' && s.limitReached) {
      // imagine checks its prompt first; trueai's other endpoints answer with its second envelope.
      if (api.route !== '/submit/imagine') return trueaiEnvelope('并发数已达上限', now);
      if (prompt) return submitFail(family, 4, '并发数已达上限');
    }
    if (/^\/submit\/edits?$/.test(api.route) && !s.editsSupported && prompt && str(body.image).trim()) {
      return submitFail(family, 9, '当前账号不支持编辑/重绘任务');
    }
    if (api.route === '/insight-face/swap' && !s.faceSwapSupported) {
      // new-api checks its required fields before passing the swap on.
      const incomplete = this.family === 'reseller' && (!str(body.sourceBase64) || !str(body.targetBase64));
      if (!incomplete) return submitFail(family, 4, '服务不支持');
    }
    if (this.family === 'open-source' && api.route === '/submit/imagine' && prompt) {
      const word = this.bannedWord(prompt);
      if (word !== undefined) return submitFail(family, 24, '可能包含敏感词', { properties: { promptEn: prompt, bannedWord: word } });
    }
    return undefined;
  }

  /** Runs a submit under the queue limits: its tasks wait NOT_START behind the others, or it is refused. */
  private async admit(route: string, run: () => Promise<SimReply>): Promise<SimReply> {
    const admission = this.admission();
    if (!admission) return run();
    const slot = { admission, queued: [] as SimTaskRecord[] };
    this.admitting = slot;
    // The simulator routes synchronously: every task this submit queues has gone through queued() when run() returns.
    const pending = run();
    this.admitting = undefined;
    const reply = await pending;
    if (slot.queued.length === 0) return reply;
    if (admission.refuse) {
      for (const task of slot.queued) this.unqueue(task, route === '/submit/modal');
      const family = { family: this.family };
      return this.family === 'open-source' ? submitFail(family, 23, '队列已满，请稍后尝试') : submitFail(family, 9, '提交失败，队列已满，请稍后重试');
    }
    const answer = isRecord(reply.body) ? reply.body : undefined;
    // One task answered by its id says it is queued; Imagine all answers its ids with code 1 whatever the queue.
    if (!answer || slot.queued.length !== 1 || str(answer.result) !== slot.queued[0]!.id) return reply;
    const properties = isRecord(answer.properties) ? answer.properties : {};
    return {
      ...reply,
      body: {
        ...answer,
        // new-api passes code 22 on as 1.
        code: this.family === 'reseller' ? answer.code : 22,
        description: `排队中，前面还有${admission.ahead}个任务`,
        properties: { ...properties, numberOfQueues: admission.ahead },
      },
    };
  }

  private admission(): Admission | undefined {
    const { queueFullAfter, queueSize } = this.settings;
    if (queueFullAfter === Infinity) return undefined;
    const inFlight = this.inFlight();
    if (inFlight < queueFullAfter) return undefined;
    const ahead = inFlight - queueFullAfter;
    if (ahead >= queueSize) return { refuse: true };
    return { refuse: false, ahead, slotsAhead: Math.ceil((ahead + 1) / Math.max(1, queueFullAfter)) };
  }

  /** Tasks queued or running. */
  private inFlight(): number {
    let count = 0;
    for (const id of this.inQueue) {
      const status = (this.running.getTask(id) as { status?: string } | undefined)?.status;
      if (status === undefined || TERMINAL.has(status) || status === 'MODAL') this.inQueue.delete(id);
      else count++;
    }
    return count;
  }

  /** Takes back a refused queueing: a new task is forgotten, a MODAL one waits for its modal again. */
  private unqueue(task: SimTaskRecord, existed: boolean): void {
    this.inQueue.delete(task.id);
    if (this.faults.has(task.id)) delete this.faultsOf(task.id).planned;
    if (!existed) {
      this.faults.delete(task.id);
      this.running.tasks.delete(task.id);
      return;
    }
    task.queuedAt = undefined;
    this.unqueued.add(task.id);
  }

  /** Changes to the simulator's answer: result links, video sizes, numeric ids. */
  private after(call: SimCall, api: { route: string; submit: boolean } | undefined, reply: SimReply): SimReply {
    const s = this.settings;
    if (s.videoBytes !== undefined && reply.status === 200 && /^\/videos\//.test(call.path)) {
      let video = this.videos.get(s.videoBytes);
      if (!video) this.videos.set(s.videoBytes, (video = dummyMp4(s.videoBytes)));
      return { ...reply, raw: video };
    }
    if (!api) return reply;
    if (api.submit && this.family === 'reseller' && s.numericIds && isRecord(reply.body)) {
      const result = reply.body.result;
      if (typeof result === 'string' && /^\d+$/.test(result) && Number.isSafeInteger(Number(result))) {
        return { ...reply, body: { ...reply.body, result: Number(result) } };
      }
    }
    if (/^\/task\//.test(api.route) && this.changesTasks()) {
      const videoFetch = call.path.startsWith('/mjvideo/');
      if (Array.isArray(reply.body)) return { ...reply, body: reply.body.map((json: unknown) => this.served(json, videoFetch)) };
      if (isRecord(reply.body)) return { ...reply, body: this.served(reply.body, videoFetch) };
    }
    return reply;
  }

  // Task JSON.

  /** Whether any switch or test changes the task JSON the simulator serves. */
  private changesTasks(): boolean {
    const s = this.settings;
    const reseller = this.family === 'reseller';
    return (reseller && (s.videoFetchOnly || s.forwardImageUrls)) || (this.family === 'trueai' && s.fillImageUrls) || this.results.size > 0;
  }

  /** A task's JSON as the switches and setResult() make it; `videoFetch`: asked through /mjvideo/fetch/{id}. */
  private served(json: unknown, videoFetch: boolean): unknown {
    const task = isRecord(json) ? this.running.tasks.get(str(json.id)) : undefined;
    if (!isRecord(json) || !task) return json;
    const s = this.settings;
    const family = this.family;
    const success = json.status === 'SUCCESS';
    const out = { ...json };
    if (family === 'reseller' && s.videoFetchOnly && !videoFetch) {
      out.videoUrls = [];
      out.videoUrl = '';
    }
    const result = success ? this.results.get(task.id) : undefined;
    if (result?.imageUrl !== undefined) {
      out.imageUrl = family === 'open-source' ? result.imageUrl || null : result.imageUrl;
      if (family === 'trueai') [out.imageWidth, out.imageHeight] = result.imageUrl ? [task.width, task.height] : [0, 0];
    }
    if (result?.videoUrls && family !== 'open-source') {
      out.videoUrls = result.videoUrls.map((url) => ({ url }));
      if (task.output === 'video-single') out.videoUrl = result.videoUrls[0] ?? '';
    }
    if (family === 'reseller' && s.forwardImageUrls && out.imageUrl) {
      out.imageUrl = `${this.running.url}/mj/image/${task.id}${success ? '' : `?rand=${Number.parseInt(str(out.progress), 10) || 0}`}`;
    }
    if (family === 'trueai' && result?.imageUrls) out.imageUrls = result.imageUrls.map((url) => ({ url }));
    else if (family === 'trueai' && success && s.fillImageUrls && task.output === 'grid') {
      out.imageUrls = [0, 1, 2, 3].map((i) => ({ url: `${this.running.url}/images/${task.id}/0_${i}.png` }));
    }
    return out;
  }

  /** The task JSON as a fetch would return it now. */
  getTask(id: string): unknown {
    const json = this.running.getTask(id);
    return json !== undefined && this.changesTasks() ? this.served(json, false) : json;
  }

  // Tasks.

  /** The next tasks queued take these ids, in order (two APIs that number alike: the bot keeps them apart). */
  private readonly forcedIds: string[] = [];

  forceIds(...ids: string[]): void {
    this.forcedIds.push(...ids);
  }

  private queued(task: SimTaskRecord): void {
    const s = this.settings;
    const forced = this.forcedIds.shift();
    if (forced !== undefined) {
      this.running.tasks.delete(task.id);
      task.id = forced;
      this.running.tasks.set(forced, task);
    }
    if (this.timing.runMs !== undefined) task.runMs = this.timing.runMs;
    if (this.timing.queueMs !== undefined) task.waitMs = this.timing.queueMs;
    if (this.timing.progressSteps !== undefined) task.steps = Math.max(1, Math.floor(this.timing.progressSteps));
    this.inQueue.add(task.id);
    this.unqueued.delete(task.id);
    const slot = this.admitting;
    if (slot) {
      slot.queued.push(task);
      // Waits NOT_START until the runs ahead of it would have freed a slot.
      if (!slot.admission.refuse) task.queuedAt = task.queuedAt! + slot.admission.slotsAhead * task.runMs;
    }
    const text = task.prompt.toLowerCase();
    const banned = this.family === 'open-source' ? undefined : this.bannedWord(text);
    const failWord = s.failPrompts.find((w) => w && text.includes(w.toLowerCase()));
    if (banned !== undefined) this.faultsOf(task.id).planned = { reason: '可能包含敏感词', atElapsed: task.waitMs };
    else if (failWord !== undefined) this.faultsOf(task.id).planned = { reason: `[Simulated failure] The prompt contains "${failWord}"`, atElapsed: task.waitMs + task.runMs / 2 };
    else if (this.faults.has(task.id)) delete this.faultsOf(task.id).planned;
  }

  private bannedWord(prompt: string): string | undefined {
    const text = prompt.toLowerCase();
    return this.settings.bannedWords.find((w) => w && text.includes(w.toLowerCase()));
  }

  private faultsOf(id: string): TaskFaults {
    let faults = this.faults.get(id);
    if (!faults) this.faults.set(id, (faults = {}));
    return faults;
  }

  private view(task: SimTaskRecord, now: number, own: (at: number) => SimTaskView): SimTaskView {
    const f = this.faults.get(task.id);
    if (f?.failed && now >= f.failed.at) {
      const started = task.queuedAt !== undefined && f.failed.at >= task.queuedAt ? task.queuedAt : undefined;
      return this.failure(f.failed.reason, started, f.failed.at);
    }
    const at = f?.stalledAt ?? now;
    if (task.queuedAt === undefined) return own(at);
    if (f?.planned && at - task.queuedAt >= f.planned.atElapsed) return this.failure(f.planned.reason, task.queuedAt, task.queuedAt + f.planned.atElapsed);
    if (at < task.queuedAt) {
      const image = task.output === 'describe' ? task.inputImageUrl : '';
      return { status: 'NOT_START', progress: '0%', percent: 0, startTime: undefined, finishTime: undefined, image, failReason: '', terminal: false };
    }
    return own(at);
  }

  private failure(reason: string, startTime: number | undefined, at: number): SimTaskView {
    const progress = this.family === 'reseller' ? '100%' : '';
    return { status: 'FAILURE', progress, percent: 0, startTime, finishTime: at, image: '', failReason: reason, terminal: true };
  }

  /** Freezes a task's clock (its progress stands still), or lets it go on from where it stood. */
  stall(taskId: string, stalled: boolean): void {
    const task = this.running.tasks.get(taskId);
    if (!task) return;
    const faults = this.faultsOf(taskId);
    const now = this.running.now();
    if (stalled) faults.stalledAt ??= now;
    else if (faults.stalledAt !== undefined) {
      if (task.queuedAt !== undefined) task.queuedAt += now - faults.stalledAt;
      delete faults.stalledAt;
    }
  }

  /** Ends a task FAILURE now (no effect on a task already finished). */
  failTask(taskId: string, reason: string): void {
    const status = (this.running.getTask(taskId) as { status?: string } | undefined)?.status;
    if (status === undefined || TERMINAL.has(status)) return;
    this.faultsOf(taskId).failed = { reason, at: this.running.now() };
  }

  /** Makes a task report these result URLs once it succeeds (e.g. an internal address, or `${url}/redirect/…`). */
  setResult(taskId: string, result: ResultOverride): void {
    if (this.running.tasks.has(taskId)) this.results.set(taskId, result);
  }

  /**
   * POSTs a callback for `taskId` to its notifyHook now: the task's current JSON with `patch` laid over it
   * (a forged or early report). Resolves to the HTTP status the hook answered.
   */
  async sendCallback(taskId: string, patch: Record<string, unknown> = {}): Promise<{ status: number; body: string }> {
    const task = this.running.tasks.get(taskId);
    if (!task?.notifyHook) throw new Error(`task ${taskId} has no notifyHook`);
    const response = await fetch(task.notifyHook, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...(this.getTask(taskId) as object), ...patch }),
    });
    return { status: response.status, body: await response.text() };
  }

  // Callbacks.

  private callback(callback: SimCallback, send: (body: string) => void): void {
    const s = this.settings;
    // A refused modal submit leaves no trace: the task was MODAL, is MODAL, and the bot heard of it already.
    if (this.unqueued.delete(callback.task.id) && callback.task.queuedAt === undefined) return;
    const body = this.changesTasks() ? JSON.stringify(this.served(JSON.parse(callback.body), false)) : callback.body;
    for (let copy = 0; copy < (s.notifyDuplicate ? 2 : 1); copy++) {
      const deliver = () => {
        this.callbacksSent++;
        send(body);
      };
      if (s.notifyShuffle) this.shuffle(Date.now() + s.notifyDelayMs + Math.random() * SHUFFLE_MS, deliver);
      else if (s.notifyDelayMs > 0) this.later(s.notifyDelayMs, deliver);
      else deliver();
    }
  }

  /** Sends at `due`; callbacks due together go in reverse order. */
  private shuffle(due: number, send: () => void): void {
    this.shuffled.push({ due, send });
    if (this.shuffleTimer) return;
    this.shuffleTimer = setInterval(() => {
      const now = Date.now();
      const due = this.shuffled.filter((c) => c.due <= now);
      this.shuffled = this.shuffled.filter((c) => c.due > now);
      for (const callback of due.reverse()) callback.send();
      if (this.shuffled.length === 0) {
        clearInterval(this.shuffleTimer);
        this.shuffleTimer = undefined;
      }
    }, SHUFFLE_MS / 3);
    this.shuffleTimer.unref();
  }

  private later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.later(ms, resolve));
  }

  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (this.shuffleTimer) clearInterval(this.shuffleTimer);
    this.shuffleTimer = undefined;
    this.shuffled = [];
  }
}
