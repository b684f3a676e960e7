import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { commands } from '../commands';
import { LOCALES, messagesFor, toLocale } from '../src/i18n';
import { formatDuration } from '../src/i18n/format';

const en = messagesFor('en') as unknown as Record<string, unknown>;
const zh = messagesFor('zh-CN') as unknown as Record<string, unknown>;

/** Every leaf of a catalogue: its path and its value. */
function leaves(node: unknown, path: string[] = []): Array<[string[], unknown]> {
  if (node && typeof node === 'object') return Object.entries(node).flatMap(([key, value]) => leaves(value, [...path, key]));
  return [[path, node]];
}

const at = (root: unknown, path: string[]) => path.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], root);

/** The code that may read the catalogues (everything but the catalogues themselves). */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return path.endsWith(join('src', 'i18n')) ? [] : sources(path);
    return path.endsWith('.ts') ? [readFileSync(path, 'utf8')] : [];
  });
}
const code = [...sources('src'), ...sources('commands')].join('\n');

/** Sections keyed by a value the code holds (an option name, a choice value, a locale), or read by a page's script. */
const KEYED = ['names', 'choices', 'languages', 'editor.page', 'playground'];

describe('the catalogues', () => {
  it('zh-CN has exactly the keys of en, each of the same kind and arity', () => {
    const paths = (root: unknown) => leaves(root).map(([path]) => path.join('.')).sort();
    assert.deepEqual(paths(zh), paths(en));
    for (const [path, value] of leaves(en)) {
      const other = at(zh, path);
      assert.equal(typeof other, typeof value, path.join('.'));
      if (typeof value === 'function') assert.equal((other as (...args: unknown[]) => unknown).length, value.length, `${path.join('.')} arity`);
      if (typeof value === 'string' && path[0] !== 'locale') assert.ok(String(other).trim(), `${path.join('.')} is not empty in zh-CN`);
    }
  });

  it('every string is read somewhere in the code (no dead keys)', () => {
    const unused = leaves(en)
      .map(([path]) => path)
      .filter((path) => path[0] !== 'locale')
      .filter((path) => {
        const keyed = KEYED.find((section) => path.join('.').startsWith(`${section}.`));
        const key = path.at(-1)!;
        if (keyed) return !code.includes(`'${key}'`) && !code.includes(`"${key}"`) && !code.includes(`.${key}`) && !(keyed === 'languages' && (LOCALES as readonly string[]).includes(key));
        return !code.includes(`.${path.join('.')}`);
      })
      .map((path) => path.join('.'));
    assert.deepEqual(unused, []);
  });

  it('option and choice names are ones Discord accepts (lowercase, no spaces, 1–32 characters)', () => {
    for (const locale of LOCALES) {
      for (const [key, name] of Object.entries(messagesFor(locale).names)) {
        assert.match(name, /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u, `${locale} names.${key}`);
        assert.equal(name, name.toLowerCase(), `${locale} names.${key} is lowercase`);
      }
      for (const [key, name] of Object.entries(messagesFor(locale).choices)) assert.ok(name.length >= 1 && name.length <= 100, `${locale} choices.${key}`);
    }
  });

  it('every command, option and choice carries a zh-CN localization within Discord’s limits', () => {
    const check = (what: string, item: { name: string; description?: string; description_localizations?: Record<string, string> | null; options?: unknown[]; choices?: unknown[]; type?: number }) => {
      if (item.description !== undefined) {
        const zhDescription = item.description_localizations?.['zh-CN'];
        assert.ok(zhDescription, `${what} has a zh-CN description`);
        assert.ok(item.description.length <= 100 && zhDescription.length <= 100, `${what} descriptions ≤ 100`);
        assert.notEqual(zhDescription, item.description, `${what} is translated`);
      }
      for (const option of (item.options ?? []) as Array<typeof item>) check(`${what} ${option.name}`, option);
      for (const choice of (item.choices ?? []) as Array<{ name: string; name_localizations?: Record<string, string> }>) {
        assert.ok(choice.name_localizations?.['zh-CN'], `${what} choice ${choice.name} has a zh-CN name`);
      }
    };
    for (const command of commands) check(`/${command.data.name}`, command.data as Parameters<typeof check>[1]);
  });
});

describe('languages', () => {
  it('maps Discord locales to the bot’s languages', () => {
    assert.equal(toLocale('zh-CN'), 'zh-CN');
    assert.equal(toLocale('zh-TW'), 'zh-CN', 'Traditional Chinese readers get Simplified Chinese rather than English');
    assert.equal(toLocale('en-GB'), 'en');
    assert.equal(toLocale('en-US'), 'en');
    assert.equal(toLocale('fr'), undefined);
    assert.equal(toLocale(undefined), undefined);
  });

  it('formats numbers, plurals and durations per language', () => {
    assert.equal(messagesFor('en').admin.budgetSet(1), 'Server budget: 1 task a day for everyone together (admins not limited).');
    assert.match(messagesFor('en').quota.budgetSpent(1234, 2000, 'soon'), /1,234 of 2,000 tasks today/);
    assert.match(messagesFor('zh-CN').quota.budgetSpent(1234, 2000, 'soon'), /1,234/);
    assert.equal(formatDuration('en', 95_000), '1 min 35 sec');
    assert.equal(formatDuration('en', 42_000), '42 sec');
    assert.equal(formatDuration('en', 120_000), '2 min');
    assert.match(formatDuration('zh-CN', 95_000), /^1\s*分钟\s*35\s*秒$/);
  });
});
