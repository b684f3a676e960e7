import { startSimulator, type MjSimulator, type SimCall, type SimReply, type SimulatorOptions } from '../../src/simulator';
import { SimSwitches, SWITCHES, type ResultOverride, type Switches, type Timing } from './sim-switches';

/**
 * Test tooling around the built-in simulator (which itself only serves the API's happy path): a log of every
 * request, faults injected into the next matching request, a "down" switch, and the switches of sim-switches.ts
 * (queue limits, failures, stalls, provider quirks, callbacks out of order). The product never loads this file.
 */

export interface SimRequest {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: unknown;
  at: number;
  /** HTTP status sent; 0 while pending or when the connection was destroyed. */
  status: number;
}

export interface FaultMatch {
  method?: string;
  pathIncludes?: string;
}

export interface FaultReply {
  /** Status to answer with; omitted: the normal answer (after delayMs). */
  status?: number;
  body?: unknown;
  rawBody?: string;
  delayMs?: number;
  destroySocket?: boolean;
  /** Handle the request normally first (e.g. the task IS created), then answer with the fault instead. */
  process?: boolean;
}

/** The simulator's own options, and switches to start with (`remix` is the simulator's own: an account in remix mode). */
export interface TestSimulatorOptions extends SimulatorOptions, Partial<Omit<Switches, 'remix'>> {
  /** At most this many requests are kept in `requests` (and about 32 MB of bodies); 0 = no count limit. */
  requestLogLimit?: number;
  /** Requests to paths matching this keep their whole body (images included) in `fullBodies`. */
  keepFullBodies?: RegExp;
}

export interface TestSimulator extends MjSimulator {
  /** Flips switches (sim-switches.ts), and the timing of the tasks queued from now on. */
  configure(patch: Partial<Switches> & Timing): void;
  /** Freezes a task's clock, or lets it go on from where it stood. */
  stall(taskId: string, stalled: boolean): void;
  /** Ends a task FAILURE now (no effect on a task already finished). */
  failTask(taskId: string, reason: string): void;
  /** The next tasks queued take these ids, in order (an id another simulator already gave). */
  forceIds(...ids: string[]): void;
  /** Makes a task report these result URLs once it succeeds (e.g. an internal address, or `${url}/redirect/…`). */
  setResult(taskId: string, result: ResultOverride): void;
  /**
   * POSTs a callback for `taskId` to its notifyHook now: the task's current JSON with `patch` laid over it
   * (a forged or early report). Resolves to the HTTP status the hook answered.
   */
  sendCallback(taskId: string, patch?: Record<string, unknown>): Promise<{ status: number; body: string }>;
  /** notifyHook callbacks sent so far. */
  callbacksSent(): number;
  /** Every request, in order (image payloads cut to 100 characters). */
  readonly requests: SimRequest[];
  /** Whole bodies of the requests that `keepFullBodies` matched, in order. */
  readonly fullBodies: Array<{ path: string; body: unknown }>;
  injectNext(match: FaultMatch, reply: FaultReply): void;
  /** Drops the faults injected and not used yet. */
  clearFaults(): void;
  /** While down: 'status' answers 503, 'reset' destroys the connection. */
  setDown(down: boolean, mode?: 'status' | 'reset'): void;
  requestCount(pathIncludes?: string): number;
  resetRequests(): void;
  setRequestLogLimit(limit: number): void;
}

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

class RequestLog {
  readonly requests: SimRequest[] = [];
  private readonly sizes = new WeakMap<SimRequest, number>();
  private bytes = 0;
  constructor(public limit: number) {}

  /** Appends; drops the oldest entries beyond `limit` entries or ~32 MB of bodies. */
  add(entry: SimRequest, bodyBytes: number): void {
    const entryBytes = 600 + bodyBytes;
    this.sizes.set(entry, entryBytes);
    this.requests.push(entry);
    this.bytes += entryBytes;
    const overCount = this.limit > 0 && this.requests.length > this.limit * 1.1;
    if (!overCount && this.bytes <= LOG_BYTES) return;
    const target = overCount ? this.requests.length - this.limit : 0;
    let drop = 0;
    let bytes = this.bytes;
    while (drop < this.requests.length - 1 && (drop < target || bytes > LOG_BYTES * 0.9)) {
      bytes -= this.sizes.get(this.requests[drop]!) ?? 300;
      drop++;
    }
    this.requests.splice(0, drop);
    this.bytes = bytes;
  }

  clear(): void {
    this.requests.length = 0;
    this.bytes = 0;
  }
}

/** The simulator with a request log, injected faults, a down switch and the switches. */
export async function startTestSimulator(options: TestSimulatorOptions = {}): Promise<TestSimulator> {
  const { requestLogLimit = 20_000, keepFullBodies, ...rest } = options;
  const initial: Partial<Switches> = {};
  const simOptions: SimulatorOptions = {};
  for (const [key, value] of Object.entries(rest)) Object.assign(key in SWITCHES && key !== 'remix' ? initial : simOptions, { [key]: value });
  const switches = new SimSwitches(simOptions.apiKey || undefined);
  switches.configure(initial);
  const fullBodies: Array<{ path: string; body: unknown }> = [];
  const log = new RequestLog(requestLogLimit);
  const faults: Array<{ match: FaultMatch; reply: FaultReply }> = [];
  let down: 'status' | 'reset' | undefined;
  const timers = new Set<NodeJS.Timeout>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  const takeFault = (method: string, path: string) => {
    const index = faults.findIndex(({ match }) => (!match.method || match.method.toUpperCase() === method) && (!match.pathIncludes || path.includes(match.pathIncludes)));
    return index < 0 ? undefined : faults.splice(index, 1)[0]!.reply;
  };

  const around = async (call: SimCall, normal: () => Promise<SimReply>): Promise<SimReply | 'destroy'> => {
    const size = { bytes: 0 };
    const entry: SimRequest = {
      method: call.method,
      path: call.path,
      query: call.query,
      headers: call.headers,
      body: call.body === 'invalid' ? forLog(call.raw?.toString('utf8').slice(0, 1000), size) : forLog(call.body, size),
      at: sim.now(),
      status: 0,
    };
    log.add(entry, size.bytes);
    if (keepFullBodies?.test(call.path)) fullBodies.push({ path: call.path, body: call.body });
    const answer = async (): Promise<SimReply | 'destroy'> => {
      if (down === 'reset') return 'destroy';
      if (down === 'status') return { status: 503, raw: 'Service Unavailable', contentType: 'text/plain; charset=utf-8' };
      const fault = takeFault(call.method, call.path);
      if (!fault) return switches.handle(call, normal);
      if (fault.delayMs) await sleep(fault.delayMs);
      const processed = fault.process || fault.status === undefined ? await switches.handle(call, normal) : undefined;
      if (fault.destroySocket) return 'destroy';
      if (fault.status !== undefined) return { status: fault.status, body: fault.body, raw: fault.rawBody ?? (fault.body === undefined ? '' : undefined) };
      return processed!;
    };
    const reply = await answer();
    if (reply !== 'destroy') entry.status = reply.status;
    return reply;
  };

  const sim = await startSimulator(simOptions, { around, ...switches.hooks });
  // The simulator's own answers: getTask is replaced below by the switches' (which reads the own one).
  switches.attach({ ...sim });
  const close = sim.close.bind(sim);
  return Object.assign(sim, {
    getTask: (id: string) => switches.getTask(id),
    configure: (patch: Partial<Switches> & Timing) => switches.configure(patch),
    stall: (taskId: string, stalled: boolean) => switches.stall(taskId, stalled),
    failTask: (taskId: string, reason: string) => switches.failTask(taskId, reason),
    forceIds: (...ids: string[]) => switches.forceIds(...ids),
    setResult: (taskId: string, result: ResultOverride) => switches.setResult(taskId, result),
    sendCallback: (taskId: string, patch?: Record<string, unknown>) => switches.sendCallback(taskId, patch),
    callbacksSent: () => switches.callbacksSent,
    requests: log.requests,
    fullBodies,
    injectNext: (match: FaultMatch, reply: FaultReply) => void faults.push({ match, reply }),
    clearFaults: () => void faults.splice(0),
    setDown: (isDown: boolean, mode: 'status' | 'reset' = 'status') => void (down = isDown ? mode : undefined),
    requestCount(pathIncludes?: string) {
      if (!pathIncludes) return log.requests.length;
      let count = 0;
      for (const request of log.requests) if (request.path.includes(pathIncludes)) count++;
      return count;
    },
    resetRequests: () => log.clear(),
    setRequestLogLimit: (limit: number) => void (log.limit = limit),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      switches.close();
      await close();
    },
  });
}
