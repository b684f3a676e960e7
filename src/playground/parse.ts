/**
 * What a person types in the playground's command box (`/imagine prompt: a red fox mode: fast`), read against
 * the commands the bot registered, as Discord's client would read it. Pure: text and registrations in, the
 * command's name and option values out, or what is wrong in words.
 */

/** An option or subcommand as registered by the bot's bulk PUT (the fields this reads). */
interface RegisteredOption {
  type: number;
  name: string;
  description?: string;
  required?: boolean;
  choices?: Array<{ name: string; value: string | number }>;
  options?: RegisteredOption[];
}
export interface RegisteredCommand {
  name: string;
  description?: string;
  options?: RegisteredOption[];
}

/** Discord's option types this reads. */
const SUBCOMMAND = 1;
const STRING = 3;
const INTEGER = 4;
const BOOLEAN = 5;
const USER = 6;
const CHANNEL = 7;
const ROLE = 8;
const NUMBER = 10;
const ATTACHMENT = 11;

/** Names for users, channels and roles as typed (`@bob`, `#general`, `@everyone`), resolved to ids. */
export interface Directory {
  user(name: string): string | undefined;
  channel(name: string): string | undefined;
  role(name: string): string | undefined;
}

type ParsedValue = string | number | boolean | { id: string; type: 6 | 7 | 8 } | { attachment: string };
export type Parsed =
  | { ok: true; name: string; subcommand: string | undefined; options: Record<string, ParsedValue> }
  | { ok: false; error: string };

const fail = (error: string): Parsed => ({ ok: false, error });

/** The options a command (or its subcommand) takes, with the subcommand's name when it has them. */
function optionsOf(command: RegisteredCommand, rest: string): { subcommand?: string; options: RegisteredOption[]; rest: string } | string {
  const subcommands = (command.options ?? []).filter((o) => o.type === SUBCOMMAND);
  if (subcommands.length === 0) return { options: command.options ?? [], rest };
  const [word = '', ...more] = rest.trim().split(/\s+/);
  const sub = subcommands.find((s) => s.name === word.toLowerCase());
  if (!sub) return `/${command.name} needs one of: ${subcommands.map((s) => s.name).join(', ')}`;
  return { subcommand: sub.name, options: sub.options ?? [], rest: more.join(' ') };
}

type Read = { value: ParsedValue } | { error: string };

function valueOf(option: RegisteredOption, raw: string, directory: Directory): Read {
  const text = raw.trim();
  const named = (kind: string, id: string | undefined, type: 6 | 7 | 8): Read => (id ? { value: { id, type } } : { error: `no ${kind} “${text}”` });
  switch (option.type) {
    case INTEGER:
    case NUMBER: {
      const n = Number(text);
      if (text === '' || !Number.isFinite(n) || (option.type === INTEGER && !Number.isInteger(n))) {
        return { error: `${option.name} must be a ${option.type === INTEGER ? 'whole ' : ''}number` };
      }
      return { value: n };
    }
    case BOOLEAN:
      if (/^(true|yes|on)$/i.test(text)) return { value: true };
      if (/^(false|no|off)$/i.test(text)) return { value: false };
      return { error: `${option.name} must be true or false` };
    case USER:
      return named('member', directory.user(text.replace(/^@/, '')), 6);
    case CHANNEL:
      return named('channel', directory.channel(text.replace(/^#/, '')), 7);
    case ROLE:
      return named('role', directory.role(text.replace(/^@/, '')), 8);
    case ATTACHMENT:
      return { error: `${option.name} is a file: pick it with the file button` };
    default: {
      if (!option.choices?.length) return { value: text };
      const lower = text.toLowerCase();
      const choice = option.choices.find((c) => String(c.value).toLowerCase() === lower || c.name.toLowerCase() === lower);
      return choice ? { value: choice.value } : { error: `${option.name} must be one of: ${option.choices.map((c) => c.value).join(', ')}` };
    }
  }
}

/**
 * `/name [subcommand] option: value option: value …`. A value runs until the next `name:` of an option of that
 * command, so prompts may hold colons (`--ar 3:2`). Text before the first option goes to the first required text
 * option (`/imagine a red fox`). Files come separately, by option name.
 */
export function parseCommand(text: string, commands: readonly RegisteredCommand[], directory: Directory, files: Record<string, string> = {}): Parsed {
  const match = /^\s*\/?([\w-]+)(.*)$/s.exec(text);
  if (!match) return fail('Type a command, e.g. /imagine prompt: a red fox');
  const command = commands.find((c) => c.name === match[1]!.toLowerCase());
  if (!command) return fail(`No command /${match[1]}. Commands: ${commands.map((c) => `/${c.name}`).join(' ')}`);
  const scope = optionsOf(command, match[2] ?? '');
  if (typeof scope === 'string') return fail(scope);
  const { rest } = scope;
  const names = scope.options.map((o) => o.name);
  const found = names.length ? [...rest.matchAll(new RegExp(`(?:^|\\s)(${names.join('|')}):`, 'gi'))] : [];
  const segments = found.map((m, i) => ({ name: m[1]!.toLowerCase(), raw: rest.slice(m.index + m[0].length, found[i + 1]?.index ?? rest.length) }));
  const before = rest.slice(0, found[0]?.index ?? rest.length).trim();
  if (before) {
    const first = scope.options.find((o) => o.type === STRING && o.required && !segments.some((s) => s.name === o.name));
    if (!first) return fail(`“${before}” is not the value of an option: write ${names.map((n) => `${n}:`).join(' ') || 'nothing after the command'}`);
    segments.unshift({ name: first.name, raw: before });
  }
  const options: Record<string, ParsedValue> = {};
  for (const segment of segments) {
    const option = scope.options.find((o) => o.name === segment.name)!;
    const read = valueOf(option, segment.raw, directory);
    if ('error' in read) return fail(read.error);
    if (read.value !== '') options[option.name] = read.value;
  }
  for (const [name, id] of Object.entries(files)) {
    if (scope.options.some((o) => o.name === name && o.type === ATTACHMENT)) options[name] = { attachment: id };
  }
  const missing = scope.options.filter((o) => o.required && options[o.name] === undefined).map((o) => o.name);
  if (missing.length) return fail(`/${command.name} needs ${missing.join(', ')}`);
  return { ok: true, name: command.name, subcommand: scope.subcommand, options };
}
