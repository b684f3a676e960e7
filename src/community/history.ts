import type { MjAction } from '../mj/actions';
import type { ListEntry, Store } from '../store';
import { historyKind, type HistoryKind } from './kinds';
import { MemberLists } from './member-lists';

/** A task the start path just handed to the tracker, as /history files it. */
export interface StartedTask {
  taskId: string;
  action: MjAction | undefined;
  /** How usage names it: `/imagine`, or a button's label. */
  kind: string;
}

/**
 * Each member's own tasks per server (/history), in the store: written by the start path for every task the API
 * accepted, read back newest first. An entry goes with its task (the sweep drops entries of deleted tasks).
 */
export class History {
  private readonly lists: MemberLists;

  constructor(
    store: Store,
    private readonly clock: () => number,
  ) {
    this.lists = new MemberLists(store, 'history');
  }

  async add(guildId: string, userId: string, tasks: readonly StartedTask[]): Promise<void> {
    const at = this.clock();
    await this.lists.add(guildId, userId, tasks.map((task) => ({ taskId: task.taskId, at, kind: historyKind(task.action, task.kind) })));
  }

  /** The member's tasks in a server, newest first; only those of `kind` when given. */
  async of(guildId: string, userId: string, kind?: HistoryKind): Promise<ListEntry[]> {
    const entries = await this.lists.entries(guildId, userId);
    return entries.filter((entry) => !kind || entry.kind === kind).reverse();
  }
}

/** One page of a list: `page` counts from 1 and is brought within the list (an empty list has one, empty, page). */
export interface Page<T> {
  items: T[];
  page: number;
  pages: number;
  total: number;
}

const PAGE_SIZE = 5;

export function pageOf<T>(all: readonly T[], page: number, size = PAGE_SIZE): Page<T> {
  const pages = Math.max(1, Math.ceil(all.length / size));
  const at = Math.min(Math.max(1, Math.floor(page) || 1), pages);
  return { items: all.slice((at - 1) * size, at * size), page: at, pages, total: all.length };
}
