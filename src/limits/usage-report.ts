import type { Messages } from '../i18n';
import { formatNumber } from '../i18n/format';
import type { UsageRow } from '../store';

/** `usage.csv`: one row per task, in the columns admins asked for. */
const CSV_COLUMNS = ['time', 'member_id', 'member_name', 'channel_id', 'kind', 'mode', 'task_id', 'status', 'api'] as const;

/** A CSV field: quoted when needed; a leading = + - @ is defused so a spreadsheet never runs it as a formula. */
function field(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function usageCsv(rows: readonly UsageRow[]): string {
  const lines = rows.map((row) =>
    [new Date(row.at).toISOString(), row.memberId, row.memberName, row.channelId, row.kind, row.mode, row.taskId, row.status, row.upstream ?? 'default']
      .map(field)
      .join(','),
  );
  return `${[CSV_COLUMNS.join(','), ...lines].join('\r\n')}\r\n`;
}

const tally = (rows: readonly UsageRow[], key: (row: UsageRow) => string) => {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(key(row), (counts.get(key(row)) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1]);
};

/** The private summary of /admin usage: tasks per member, per kind, per mode, and refunded failures. */
export function usageSummary(rows: readonly UsageRow[], days: number, memberId: string | undefined, t: Messages): string {
  const scope = t.admin.usageScope(memberId ? `<@${memberId}>` : undefined, days);
  if (rows.length === 0) return t.admin.usageNone(scope);
  const refunded = rows.filter((row) => row.refunded).length;
  const list = (entries: Array<[string, number]>, label: (key: string) => string) =>
    entries.slice(0, 10).map(([key, n]) => `${label(key)} ${formatNumber(t.locale, n)}`).join(' · ');
  return [
    t.admin.usageHead(rows.length, scope, refunded),
    t.admin.usageMembers(list(tally(rows, (r) => r.memberId), (id) => `<@${id}>`)),
    t.admin.usageKinds(list(tally(rows, (r) => r.kind), (kind) => kind)),
    t.admin.usageModes(list(tally(rows, (r) => r.mode), (mode) => mode)),
    t.admin.usageFile,
  ].join('\n');
}
