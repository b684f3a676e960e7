/** A small seeded generator (mulberry32): the same seed, the same schedule, the same members' choices. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FAULT_KINDS = [
  'kill -9 and restart',
  'rolling SIGTERM restart',
  'redis killed and restarted from its AOF',
  'an API down for 30 s',
  'API 5xx burst',
  'API timeout burst',
  'Discord 429 burst',
  'Discord 5xx burst',
  'stale and duplicated callbacks',
] as const;
type FaultKind = (typeof FAULT_KINDS)[number];

export interface PlannedFault {
  /** Seconds from the start of the run. */
  at: number;
  kind: FaultKind;
  /** Which process (kill -9), which API (down, bursts). */
  target: number;
}

/**
 * The fault schedule of a run, from its seed alone: one fault every 25 to 45 s from 20 s in, none in the last
 * sixth of the run (the tasks settle then), every kind once before any repeats, in an order the seed shuffles.
 */
export function faultSchedule(seed: number, minutes: number): PlannedFault[] {
  const random = seeded(seed ^ 0x5eed);
  const end = minutes * 60 * (5 / 6);
  const plan: PlannedFault[] = [];
  let bag: FaultKind[] = [];
  for (let at = 20 + random() * 10; at < end; at += 25 + random() * 20) {
    if (bag.length === 0) {
      bag = [...FAULT_KINDS];
      for (let i = bag.length - 1; i > 0; i -= 1) {
        const j = Math.floor(random() * (i + 1));
        [bag[i], bag[j]] = [bag[j]!, bag[i]!];
      }
    }
    plan.push({ at: Math.round(at), kind: bag.pop()!, target: Math.floor(random() * 3) });
  }
  return plan;
}
