/**
 * Discord's limits on what a message or a form may hold, as Discord answers them (400, 50035 Invalid Form Body):
 * the local Discord refuses what Discord would, so neither the tests nor the playground hide such a bug.
 * Returns what is wrong, or undefined.
 */

type Json = Record<string, any>;

const BUTTON = 2;
const STRING_SELECT = 3;
const TEXT_INPUT = 4;
const LABEL = 18;
const LINK = 5;

const over = (value: unknown, max: number) => typeof value === 'string' && [...value].length > max;

function embedsProblem(embeds: Json[]): string | undefined {
  if (embeds.length > 10) return 'embeds: at most 10';
  let total = 0;
  for (const [i, e] of embeds.entries()) {
    const where = `embeds[${i}]`;
    if (over(e.title, 256)) return `${where}.title: at most 256`;
    if (over(e.description, 4096)) return `${where}.description: at most 4096`;
    if (over(e.footer?.text, 2048)) return `${where}.footer.text: at most 2048`;
    if (over(e.author?.name, 256)) return `${where}.author.name: at most 256`;
    const fields = (e.fields ?? []) as Json[];
    if (fields.length > 25) return `${where}.fields: at most 25`;
    for (const [j, f] of fields.entries()) {
      if (!f.name || over(f.name, 256)) return `${where}.fields[${j}].name: 1 to 256`;
      if (!f.value || over(f.value, 1024)) return `${where}.fields[${j}].value: 1 to 1024`;
    }
    total += [e.title, e.description, e.footer?.text, e.author?.name, ...fields.flatMap((f) => [f.name, f.value])].reduce((n, s) => n + (typeof s === 'string' ? [...s].length : 0), 0);
  }
  return total > 6000 ? `embeds: at most 6000 characters together (${total})` : undefined;
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
      if (c.type === BUTTON) {
        if (!c.label && !c.emoji) return `${at}: a label or an emoji`;
        if (over(c.label, 80)) return `${at}.label: at most 80`;
        if (c.style === LINK ? !c.url || c.custom_id : !c.custom_id) return `${at}: a link button has a url, the others a custom_id`;
      } else if (c.type === STRING_SELECT) {
        const options = (c.options ?? []) as Json[];
        if (options.length < 1 || options.length > 25) return `${at}.options: 1 to 25`;
        if (options.some((o) => !o.label || over(o.label, 100) || !o.value || over(o.value, 100))) return `${at}.options: label and value 1 to 100`;
        if (over(c.placeholder, 150)) return `${at}.placeholder: at most 150`;
      } else {
        return `${at}: type ${c.type} does not go in a message row`;
      }
      if (c.custom_id !== undefined) {
        if (over(c.custom_id, 100)) return `${at}.custom_id: at most 100`;
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

/** A form (interaction callback type 9). */
export function modalProblem(data: Json | undefined): string | undefined {
  if (!data?.custom_id || over(data.custom_id, 100)) return 'custom_id: 1 to 100';
  if (!data.title || over(data.title, 45)) return 'title: 1 to 45';
  const rows = (data.components ?? []) as Json[];
  if (rows.length < 1 || rows.length > 5) return 'components: 1 to 5';
  for (const [i, row] of rows.entries()) {
    const input = row.type === LABEL ? row.component : row.components?.[0];
    const label = row.type === LABEL ? row.label : input?.label;
    if (input?.type !== TEXT_INPUT) return `components[${i}]: a text input`;
    if (!label || over(label, 45)) return `components[${i}].label: 1 to 45`;
    if (over(input.value, 4000) || (input.max_length ?? 0) > 4000) return `components[${i}]: at most 4000 characters`;
  }
  return undefined;
}
