/**
 * Discord's limits on what a message or a form may hold, as Discord answers them (400, 50035 Invalid Form Body),
 * and on uploads (413, 40005): the local Discord refuses what Discord would, so neither the tests nor the
 * playground hide such a bug. Each value and where Discord documents it: docs/discord-limits.md.
 * The checks return what is wrong, or undefined.
 */

type Json = Record<string, any>;

/** Bytes a file may have for a bot in a server without boosts ("Uploading Files"); interactions advertise it. */
export const ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024;
/** Bytes a whole message request may have (Create Message, "Limitations"). */
export const REQUEST_SIZE_LIMIT = 25 * 1024 * 1024;

const BUTTON = 2;
const STRING_SELECT = 3;
const TEXT_INPUT = 4;
const LABEL = 18;
const LINK = 5;
const PREMIUM = 6;

/** Characters as Discord counts them: code points, so an emoji is one. */
const length = (value: string) => [...value].length;
const over = (value: unknown, max: number) => typeof value === 'string' && length(value) > max;
/** Embed limits leave out leading and trailing whitespace, which Discord trims (Embed Limits). */
const trimmed = (value: unknown) => (typeof value === 'string' ? length(value.trim()) : 0);
const absent = (value: unknown) => value === undefined || value === null;
/** A custom_id: Discord refuses a missing, empty or longer one. */
const badCustomId = (value: unknown) => typeof value !== 'string' || value.length === 0 || over(value, 100);

/**
 * What Discord takes as a unicode emoji without an id: one emoji (an RGI sequence, a pictograph with or
 * without U+FE0F, a keycap). A name such as `upscale_1` is a custom emoji and needs its id ("Invalid emoji").
 * Built with `new RegExp` because the `v` flag (for \p{RGI_Emoji}) is newer than the compile target.
 */
const UNICODE_EMOJI = new RegExp('^(?:\\p{RGI_Emoji}|\\p{Extended_Pictographic}\\uFE0F?|[0-9#*]\\uFE0F?\\u20E3)$', 'v');

function emojiProblem(emoji: unknown): string | undefined {
  if (typeof emoji !== 'object' || emoji === null) return 'an emoji object';
  const { id, name } = emoji as Json;
  // A custom emoji is known by its id; Discord does not check its name.
  if (!absent(id)) return /^\d+$/.test(String(id)) ? undefined : 'id: a snowflake';
  return typeof name === 'string' && UNICODE_EMOJI.test(name) ? undefined : 'name: Invalid emoji (a custom emoji needs its id)';
}

function embedsProblem(embeds: Json[]): string | undefined {
  if (embeds.length > 10) return 'embeds: at most 10';
  let total = 0;
  for (const [i, e] of embeds.entries()) {
    const where = `embeds[${i}]`;
    if (trimmed(e.title) > 256) return `${where}.title: at most 256`;
    if (trimmed(e.description) > 4096) return `${where}.description: at most 4096`;
    // `text` and `name` are the required fields of a footer and an author.
    if (e.footer && (trimmed(e.footer.text) < 1 || trimmed(e.footer.text) > 2048)) return `${where}.footer.text: 1 to 2048`;
    if (e.author && (trimmed(e.author.name) < 1 || trimmed(e.author.name) > 256)) return `${where}.author.name: 1 to 256`;
    const fields = (e.fields ?? []) as Json[];
    if (fields.length > 25) return `${where}.fields: at most 25`;
    for (const [j, f] of fields.entries()) {
      if (trimmed(f.name) < 1 || trimmed(f.name) > 256) return `${where}.fields[${j}].name: 1 to 256`;
      if (trimmed(f.value) < 1 || trimmed(f.value) > 1024) return `${where}.fields[${j}].value: 1 to 1024`;
    }
    total += [e.title, e.description, e.footer?.text, e.author?.name, ...fields.flatMap((f) => [f.name, f.value])].reduce((n: number, s) => n + trimmed(s), 0);
  }
  return total > 6000 ? `embeds: at most 6000 characters together (${total})` : undefined;
}

/** A button's own rules, by style (Component Reference, Button). */
function buttonProblem(c: Json): string | undefined {
  if (c.style === PREMIUM) {
    return c.sku_id && absent(c.custom_id) && absent(c.url) && absent(c.label) && absent(c.emoji) ? undefined : 'a premium button has a sku_id and no custom_id, url, label or emoji';
  }
  if (c.style === LINK) {
    if (!absent(c.custom_id)) return 'custom_id: a link button has none';
    if (typeof c.url !== 'string' || c.url.length === 0 || over(c.url, 512)) return 'url: a link button has one of 1 to 512';
  } else if ([1, 2, 3, 4].includes(c.style)) {
    if (!absent(c.url) || !absent(c.sku_id)) return 'url: only a link button has one';
    if (badCustomId(c.custom_id)) return 'custom_id: 1 to 100';
  } else {
    return `style: ${c.style} is not a button style`;
  }
  if (!c.label && !c.emoji) return 'a label or an emoji';
  if (over(c.label, 80)) return 'label: at most 80';
  const emoji = absent(c.emoji) ? undefined : emojiProblem(c.emoji);
  return emoji ? `emoji.${emoji}` : undefined;
}

function selectProblem(c: Json): string | undefined {
  if (badCustomId(c.custom_id)) return 'custom_id: 1 to 100';
  const options = (c.options ?? []) as Json[];
  if (options.length < 1 || options.length > 25) return 'options: 1 to 25';
  for (const [k, o] of options.entries()) {
    if (!o.label || over(o.label, 100) || !o.value || over(o.value, 100)) return `options[${k}]: label and value 1 to 100`;
    if (over(o.description, 100)) return `options[${k}].description: at most 100`;
    const emoji = absent(o.emoji) ? undefined : emojiProblem(o.emoji);
    if (emoji) return `options[${k}].emoji.${emoji}`;
  }
  if (over(c.placeholder, 150)) return 'placeholder: at most 150';
  if (!absent(c.min_values) && !(c.min_values >= 0 && c.min_values <= 25)) return 'min_values: 0 to 25';
  if (!absent(c.max_values) && !(c.max_values >= 1 && c.max_values <= 25)) return 'max_values: 1 to 25';
  return undefined;
}

function componentsProblem(rows: Json[]): string | undefined {
  if (rows.length > 5) return 'components: at most 5 rows';
  const ids = new Set<string>();
  for (const [i, row] of rows.entries()) {
    const where = `components[${i}]`;
    const items = (row.components ?? []) as Json[];
    if (row.type !== 1 || items.length === 0) return `${where}: an action row with components`;
    const selects = items.filter((c) => c.type === STRING_SELECT).length;
    if (selects > 0 && items.length > 1) return `${where}: a select menu fills its row`;
    if (items.length > 5) return `${where}: at most 5 buttons`;
    for (const [j, c] of items.entries()) {
      const at = `${where}.components[${j}]`;
      const problem = c.type === BUTTON ? buttonProblem(c) : c.type === STRING_SELECT ? selectProblem(c) : `type ${c.type} does not go in a message row`;
      if (problem) return `${at}: ${problem}`;
      if (typeof c.custom_id === 'string') {
        if (ids.has(c.custom_id)) return `${at}.custom_id: duplicated in the message`;
        ids.add(c.custom_id);
      }
    }
  }
  return undefined;
}

/** A message create or edit body (only the fields it carries are checked, as an edit may carry some). */
export function messageProblem(json: Json | undefined): string | undefined {
  if (!json) return undefined;
  if (over(json.content, 2000)) return 'content: at most 2000';
  if (Array.isArray(json.embeds)) {
    const problem = embedsProblem(json.embeds);
    if (problem) return problem;
  }
  return Array.isArray(json.components) ? componentsProblem(json.components) : undefined;
}

/** A text input in a form (Component Reference, Text Input). */
function textInputProblem(input: Json): string | undefined {
  if (badCustomId(input.custom_id)) return 'custom_id: 1 to 100';
  if (input.style !== 1 && input.style !== 2) return 'style: 1 or 2';
  if (!absent(input.min_length) && !(input.min_length >= 0 && input.min_length <= 4000)) return 'min_length: 0 to 4000';
  if (!absent(input.max_length) && !(input.max_length >= 1 && input.max_length <= 4000)) return 'max_length: 1 to 4000';
  if (over(input.value, 4000)) return 'value: at most 4000';
  if (over(input.placeholder, 100)) return 'placeholder: at most 100';
  return undefined;
}

/** A form (interaction callback type 9; Receiving and Responding, Modal). */
export function modalProblem(data: Json | undefined): string | undefined {
  if (badCustomId(data?.custom_id)) return 'custom_id: 1 to 100';
  if (!data!.title || over(data!.title, 45)) return 'title: 1 to 45';
  const rows = (data!.components ?? []) as Json[];
  if (rows.length < 1 || rows.length > 5) return 'components: 1 to 5';
  for (const [i, row] of rows.entries()) {
    // A Label (type 18) holds one input; the older action row holds one input that carries its label.
    const input = row.type === LABEL ? row.component : row.components?.[0];
    const label = row.type === LABEL ? row.label : input?.label;
    if (input?.type !== TEXT_INPUT || (row.type !== LABEL && row.components.length !== 1)) return `components[${i}]: one text input`;
    if (!label || over(label, 45)) return `components[${i}].label: 1 to 45`;
    if (row.type === LABEL && over(row.description, 100)) return `components[${i}].description: at most 100`;
    const problem = textInputProblem(input);
    if (problem) return `components[${i}].${problem}`;
  }
  return undefined;
}

/** Files over the per-file limit: Discord answers the whole request 413 / 40005. */
export function uploadProblem(files: ReadonlyArray<{ field: string; data: Buffer }>, limit: number): string | undefined {
  const big = files.find((file) => file.data.length > limit);
  return big ? `${big.field}: ${big.data.length} bytes, over the ${limit}-byte limit` : undefined;
}
