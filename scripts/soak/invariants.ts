import type { Store } from '../../src/store';
import type { TestDiscord } from '../../test/support/discord';
import type { TestSimulator } from '../../test/support/simulator';

/** One check's verdict: a line for the report, and what broke when it did. */
export interface Verdict {
  name: string;
  ok: boolean;
  line: string;
}

/** An API of the run: its simulator, and how the bot keys its tasks (src/mj/upstreams.ts). */
export interface SoakApi {
  name: string;
  sim: TestSimulator;
  keyOf(id: string): string;
}

type Json = Record<string, any>;

const CARD_EDITS = new Set(['PATCH /webhooks/:app/:token/messages/:message', 'PATCH /channels/:channel/messages/:message', 'POST /channels/:channel/messages', 'POST /webhooks/:app/:token']);

/** What a card shows: its task key, and -1 waiting, 0–99 running, 100 done, 101 failed or cancelled; undefined if it is no card. */
function shown(embeds: Json[] | undefined): { key: string; state: number } | undefined {
  const embed = embeds?.[0];
  const key = /^Task (\S+)$/.exec(String(embed?.footer?.text ?? ''))?.[1];
  if (!key) return undefined;
  const status = String((embed?.fields as Json[] | undefined)?.find((f) => f.name === 'Status')?.value ?? '');
  if (/✅/.test(status)) return { key, state: 100 };
  if (/❌/.test(status)) return { key, state: 101 };
  // "Not answering" and "no news" repeat the last percentage: they say nothing of the task's own progress.
  if (/^(⚠️|🐢)/.test(status)) return undefined;
  const percent = /(\d+)%/.exec(status)?.[1];
  return { key, state: percent === undefined ? -1 : Number(percent) };
}

const isFinalState = (state: number) => state >= 100;

/**
 * 1. Every task the API accepted has exactly one final card, and it shows the task's final state. Tasks still
 * waiting for a member's prompt (MODAL: their card offers Edit prompt) are counted apart.
 */
export function oneFinalCardEach(apis: readonly SoakApi[], discord: TestDiscord): Verdict & { tasks: number; keys: string[] } {
  const finals = new Map<string, number[]>();
  for (const message of discord.world.messages.values()) {
    if (message.deleted) continue;
    const seen = shown(message.embeds as Json[]);
    if (seen && isFinalState(seen.state)) finals.set(seen.key, [...(finals.get(seen.key) ?? []), seen.state]);
  }
  const problems: string[] = [];
  const keys: string[] = [];
  let tasks = 0;
  let waiting = 0;
  for (const { sim, keyOf } of apis) {
    for (const id of sim.tasks.keys()) {
      const status = String((sim.getTask(id) as Json | undefined)?.status ?? '');
      if (status === 'MODAL') {
        waiting += 1;
        continue;
      }
      tasks += 1;
      const key = keyOf(id);
      const cards = finals.get(key) ?? [];
      if (cards.length !== 1 || (status === 'SUCCESS') !== (cards[0] === 100)) keys.push(key);
      if (cards.length !== 1) problems.push(`${key}: ${cards.length} final cards (API: ${status})`);
      else if ((status === 'SUCCESS') !== (cards[0] === 100)) problems.push(`${key}: the card shows ${cards[0] === 100 ? 'done' : 'failed'}, the API ${status}`);
    }
  }
  const line = problems.length
    ? `1. one final card per task: ${problems.length} of ${tasks} wrong: ${problems.slice(0, 5).join('; ')}`
    : `1. one final card per task: ${tasks} tasks, each with exactly one final card showing its state (${waiting} waiting for a member's prompt)`;
  return { name: 'lost', ok: problems.length === 0, line, tasks, keys };
}

/** 2. No request was submitted twice: each member's prompt, each click's button, each form's prompt reached an API once. */
export function noDuplicates(apis: readonly SoakApi[]): Verdict {
  const twice: string[] = [];
  const count = (what: string, keys: string[]) => {
    const seen = new Map<string, number>();
    for (const key of keys) seen.set(key, (seen.get(key) ?? 0) + 1);
    for (const [key, n] of seen) if (n > 1) twice.push(`${what} ${key} ×${n}`);
  };
  for (const { name, sim } of apis) {
    const bodies = (suffix: string) => sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith(suffix) && r.status === 200).map((r) => (r.body ?? {}) as Json);
    count(`${name} imagine`, bodies('/submit/imagine').map((b) => /#\d+/.exec(String(b.prompt))?.[0] ?? String(b.prompt)));
    count(`${name} action`, bodies('/submit/action').map((b) => `${b.taskId} ${b.customId}`));
    count(`${name} modal`, bodies('/submit/modal').map((b) => String(b.taskId)));
    count(`${name} blend`, bodies('/submit/blend').map((b) => JSON.stringify(b.base64Array)));
  }
  return {
    name: 'duplicated',
    ok: twice.length === 0,
    line: twice.length ? `2. no duplicates: ${twice.length} submitted twice: ${twice.slice(0, 5).join('; ')}` : '2. no duplicates: no prompt, click or form reached an API twice',
  };
}

/** 3. No card was ever edited backwards: states only move on, and nothing follows a final state but the same final state. */
export function neverBackwards(discord: TestDiscord): Verdict & { keys: string[] } {
  const last = new Map<string, number>();
  const backwards: string[] = [];
  const keys: string[] = [];
  for (const call of discord.calls) {
    if (!CARD_EDITS.has(call.route) || call.status !== 200) continue;
    const seen = shown((call.body as Json | undefined)?.embeds);
    if (!seen) continue;
    const before = last.get(seen.key);
    // A final state is followed by itself only; anything else only moves on.
    const back = before !== undefined && (before >= 100 ? seen.state !== before : seen.state < before);
    if (back) {
      backwards.push(`${seen.key}: ${before} → ${seen.state}`);
      keys.push(seen.key);
    }
    last.set(seen.key, Math.max(before ?? -2, seen.state));
  }
  return {
    name: 'backwards',
    keys,
    ok: backwards.length === 0,
    line: backwards.length ? `3. never backwards: ${backwards.length} edits went back: ${backwards.slice(0, 5).join('; ')}` : `3. never backwards: ${last.size} cards, no edit went back`,
  };
}

/** 4. Each member's count of the day equals the tasks the usage log holds for them that day (refunds taken off). */
export async function quotaExact(store: Store): Promise<Verdict> {
  const counted = new Map<string, number>();
  for await (const [key, value] of store.counters.iterator!(undefined)) {
    const parts = String(key).split(':');
    // guild:day:member (the member's count); guild:day (the server's) and guild:day:tasks (the usage list) aside.
    if (parts.length === 3 && /^\d+$/.test(parts[2]!)) counted.set(String(key), (value as { n: number }).n);
  }
  const logged = new Map<string, number>();
  for await (const [, value] of store.usage.iterator!(undefined)) {
    const row = value as { guildId: string; day: string; memberId: string; refunded: boolean };
    if (row.refunded) continue;
    const key = `${row.guildId}:${row.day}:${row.memberId}`;
    logged.set(key, (logged.get(key) ?? 0) + 1);
  }
  const off: string[] = [];
  for (const key of new Set([...counted.keys(), ...logged.keys()])) {
    if ((counted.get(key) ?? 0) !== (logged.get(key) ?? 0)) off.push(`${key}: counted ${counted.get(key) ?? 0}, usage ${logged.get(key) ?? 0}`);
  }
  return {
    name: 'quota',
    ok: off.length === 0,
    line: off.length ? `4. quota exact: ${off.length} members off: ${off.slice(0, 5).join('; ')}` : `4. quota exact: ${counted.size} members' counts equal their usage rows`,
  };
}

/** RSS samples of one process slot: when, which process (a restart is a new pid), and how long it had run. */
export interface RssSample {
  at: number;
  pid: number;
  /** ms since its process started: a process warms up (compiles, fills its caches) for about a minute. */
  age: number;
  rss: number;
}

/** Processes that run long enough for their memory to say something: past their warm-up. */
const WARM_MS = 60_000;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

/** A process must run this long past its warm-up for its growth to say something (its life is cut in thirds). */
const MIN_SPAN_MS = 120_000;

/**
 * 5. No process grows: each process (each pid: a restart starts a new life), over its life past its warm-up, keeps its
 * resident memory in the last third (the median of its samples) within 10 % of its value at the end of the first
 * third (the median of that third's last minute). Run through, that is the run's own thirds. A fresh process is not
 * compared with the one it replaced: a process that just took over every task in flight of its shard holds more
 * than one that ran for minutes, which says nothing of growth. A process with less than MIN_SPAN_MS past its
 * warm-up is not compared (a 2-minute run compares none).
 */
export function rssFlat(slots: readonly RssSample[][]): Verdict {
  const grew: string[] = [];
  const compared: string[] = [];
  slots.forEach((samples, slot) => {
    const pids = [...new Set(samples.map((s) => s.pid))];
    for (const pid of pids) {
      const warm = samples.filter((s) => s.pid === pid && s.age >= WARM_MS);
      if (warm.length === 0 || warm.at(-1)!.at - warm[0]!.at < MIN_SPAN_MS) continue;
      const [from, to] = [warm[0]!.at, warm.at(-1)!.at];
      const third = (to - from) / 3;
      const early = warm.filter((s) => s.at <= from + third && s.at > from + third - 60_000).map((s) => s.rss);
      const late = warm.filter((s) => s.at >= to - third).map((s) => s.rss);
      const [reference, now] = [median(early), median(late)];
      const mb = (bytes: number) => Math.round(bytes / 1048576);
      compared.push(`${slot}/${pid}: ${mb(reference)} → ${mb(now)} MB over ${Math.round((to - from) / 1000)} s`);
      if (now > reference * 1.1) {
        // Its samples, one every 30 s (MB, and the process's age), so a reader can tell a leak from a burst of work.
        const series = samples.filter((s) => s.pid === pid).filter((_s, i) => i % 6 === 0).map((s) => `${mb(s.rss)}@${Math.round(s.age / 1000)}s`);
        grew.push(`process ${slot}/${pid}: ${mb(now)} MB, above ${mb(reference)} MB + 10 % (${series.join(' ')})`);
      }
    }
  });
  return {
    name: 'rss',
    ok: grew.length === 0,
    line: grew.length
      ? `5. RSS flat: ${grew.join('; ')}`
      : `5. RSS flat: every process within 10 % over the last third of its life (${compared.join(', ') || 'none ran 2 minutes past its warm-up'})`,
  };
}

/** A log line at error level, and the injected faults' windows that may explain it. */
export interface LoggedError {
  at: number;
  msg: string;
}

/** 6. Every error the bot logged falls in the window of an injected fault (from its start to 90 s after its end). */
export function errorsExplained(errors: readonly LoggedError[], windows: ReadonlyArray<{ from: number; to: number; kind: string }>): Verdict {
  const unexplained = errors.filter((e) => !windows.some((w) => e.at >= w.from - 2_000 && e.at <= w.to + 90_000));
  return {
    name: 'errors',
    ok: unexplained.length === 0,
    line: unexplained.length
      ? `6. errors explained: ${unexplained.length} of ${errors.length} unexplained: ${unexplained.slice(0, 5).map((e) => e.msg).join('; ')}`
      : `6. errors explained: ${errors.length} error lines, each during an injected fault`,
  };
}

/**
 * What happened to one card, for a report of what broke: every edit Discord accepted showing it (seconds from the
 * start, route, state) and every line any process logged about its task (which process, its pid, the message).
 */
export function cardStory(key: string, discord: TestDiscord, logs: ReadonlyArray<{ slot: number; pid: number; stdout: string }>, startedAt: number): string[] {
  const at = (ms: number) => `${((ms - startedAt) / 1000).toFixed(2)} s`;
  const id = key.includes(':') ? key.slice(key.indexOf(':') + 1) : key;
  const lines: string[] = [];
  for (const call of discord.calls) {
    if (!CARD_EDITS.has(call.route)) continue;
    const seen = shown((call.body as Json | undefined)?.embeds);
    if (seen?.key === key) lines.push(`${at(call.at)} ${call.route} → ${call.status}: ${seen.state}`);
  }
  for (const { slot, pid, stdout } of logs) {
    for (const line of stdout.split('\n')) {
      if (!line.startsWith('{') || !(line.includes(`"${key}"`) || line.includes(`"${id}"`))) continue;
      const entry = JSON.parse(line) as { time: number; msg: string; level: number };
      lines.push(`${at(entry.time)} process ${slot} (pid ${pid}) level ${entry.level}: ${entry.msg}`);
    }
  }
  return lines.sort((a, b) => parseFloat(a) - parseFloat(b));
}
