/**
 * The playground page: one self-contained document (no CDN), light and dark, usable on a phone. It draws the
 * channel from the messages the bot sent to the local Discord (src/playground/playground-routes.ts) as Discord's client would:
 * embeds, files, buttons and select menus, private answers only to their member, one channel at a time (a tab per
 * channel of the server: #general, and #showcase for starred images). Test hooks that stay stable:
 * `<input name="command">`, `[data-message-id]`, `<button>` with the visible label, `<img>`, `[data-ephemeral]`,
 * `[data-channel="name"]` (a channel's tab).
 */

import { messagesFor } from '../i18n';

/** The page's words in both languages (src/i18n): the script picks by the browser's language. */
const STRINGS = { en: messagesFor('en').playground, zh: messagesFor('zh-CN').playground };

const STYLE = `
:root { color-scheme: light dark; --bg: #ffffff; --fg: #2e3338; --muted: #5c5e66; --panel: #f2f3f5; --line: #e3e5e8; --embed: #f2f3f5;
  --blurple: #5865f2; --grey: #6d6f78; --green: #248046; --red: #da373c; --mine: #ebedff; }
@media (prefers-color-scheme: dark) { :root { --bg: #313338; --fg: #dbdee1; --muted: #949ba4; --panel: #2b2d31; --line: #3f4147; --embed: #2b2d31; --mine: #3a3c5a; } }
* { box-sizing: border-box; }
html, body { height: 100%; }
body { margin: 0; font: 15px/1.375 system-ui, sans-serif; background: var(--bg); color: var(--fg); display: flex; flex-direction: column; }
header { display: flex; gap: 10px; align-items: center; padding: 8px 12px; border-bottom: 1px solid var(--line); flex-wrap: wrap; }
header h1 { font-size: 16px; margin: 0; flex: 1; white-space: nowrap; }
#channels { display: flex; gap: 4px; flex-wrap: wrap; }
#channels button { border: 0; border-radius: 4px; padding: 2px 8px; background: transparent; color: var(--muted); cursor: pointer; }
#channels button[aria-current="true"] { background: var(--panel); color: var(--fg); font-weight: 600; }
#channels button.unread::after { content: ' •'; color: var(--blurple); }
select, input, textarea, button { font: inherit; color: inherit; }
#user { padding: 4px 8px; border-radius: 6px; border: 1px solid var(--line); background: var(--panel); }
#log { flex: 1; overflow-y: auto; padding: 8px 12px 16px; }
.msg { padding: 6px 4px; border-radius: 6px; max-width: 900px; }
.msg[data-ephemeral="true"] { background: var(--mine); }
.msg .who { font-weight: 600; }
.msg .bot { font-size: 10px; background: var(--blurple); color: #fff; border-radius: 3px; padding: 0 4px; margin-left: 4px; vertical-align: 2px; }
.msg .note { color: var(--muted); font-size: 12px; margin-top: 4px; }
.msg .content { white-space: pre-wrap; overflow-wrap: anywhere; }
.embed { border-left: 4px solid var(--line); background: var(--embed); border-radius: 4px; padding: 8px 12px; margin-top: 4px; max-width: 520px; display: grid; gap: 6px; }
.embed:has(> .thumb) { grid-template-columns: minmax(0, 1fr) 80px; }
.embed > * { grid-column: 1; }
.embed > .thumb { grid-column: 2; grid-row: 1 / span 4; width: 80px; height: 80px; object-fit: cover; border-radius: 4px; }
.embed .title { font-weight: 600; }
.embed .fields { display: grid; grid-template-columns: repeat(auto-fill, minmax(140px, 1fr)); gap: 6px 12px; }
.embed .field { grid-column: 1 / -1; }
.embed .field.inline { grid-column: auto; }
.embed .field b { display: block; font-size: 13px; }
.embed .footer { font-size: 12px; color: var(--muted); }
.embed img, .files img, .files video { max-width: 100%; max-height: 420px; border-radius: 4px; display: block; }
.files { display: grid; gap: 6px; margin-top: 4px; max-width: 520px; }
.row { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 6px; }
.btn { border: 0; border-radius: 4px; padding: 4px 12px; min-height: 32px; min-width: 52px; color: #fff; cursor: pointer; text-decoration: none; display: inline-flex; align-items: center; gap: 4px; }
.btn.s1 { background: var(--blurple); } .btn.s2 { background: var(--grey); } .btn.s3 { background: var(--green); } .btn.s4 { background: var(--red); } .btn.s5 { background: var(--grey); }
.btn:disabled { opacity: .5; cursor: not-allowed; }
.row select { min-height: 36px; border-radius: 4px; border: 1px solid var(--line); background: var(--panel); padding: 4px 8px; max-width: 100%; }
code { background: var(--panel); border-radius: 3px; padding: 0 3px; font-size: 90%; }
a { color: #00a8fc; }
footer { border-top: 1px solid var(--line); padding: 8px 12px calc(8px + env(safe-area-inset-bottom)); display: grid; gap: 6px; }
footer form { display: flex; gap: 6px; }
footer input[name="command"] { flex: 1; min-width: 0; padding: 10px 12px; border-radius: 8px; border: 1px solid var(--line); background: var(--panel); }
footer form button { border: 0; border-radius: 8px; padding: 0 16px; background: var(--blurple); color: #fff; }
#hint { color: var(--muted); font-size: 13px; white-space: pre-wrap; }
#error { color: var(--red); font-size: 13px; min-height: 0; }
#files { display: flex; flex-wrap: wrap; gap: 8px; font-size: 13px; }
dialog { border: 0; border-radius: 8px; padding: 16px; background: var(--bg); color: var(--fg); width: min(480px, 94vw); }
dialog form { display: grid; gap: 10px; }
dialog h2 { margin: 0; font-size: 18px; }
dialog label { display: grid; gap: 4px; font-size: 13px; font-weight: 600; }
dialog textarea, dialog input { width: 100%; padding: 8px; border-radius: 4px; border: 1px solid var(--line); background: var(--panel); }
dialog .actions { display: flex; justify-content: flex-end; gap: 8px; }
dialog .actions button { border: 0; border-radius: 4px; padding: 8px 16px; background: var(--grey); color: #fff; }
dialog .actions button[type="submit"] { background: var(--blurple); }
`;

const SCRIPT = `
(() => {
  const S = STRINGS[/^zh/i.test(navigator.language || '') ? 'zh' : 'en'];
  for (const node of document.querySelectorAll('[data-s]')) node.textContent = S[node.dataset.s];
  document.title = S.title;
  document.documentElement.lang = /^zh/i.test(navigator.language || '') ? 'zh-CN' : 'en';
  const state = { users: [], me: '', commands: [], messages: new Map(), channels: [], channel: '' };
  const tabs = document.getElementById('channels');
  const log = document.getElementById('log');
  const userSelect = document.getElementById('user');
  const input = document.querySelector('input[name="command"]');
  input.placeholder = S.placeholder;
  const hint = document.getElementById('hint');
  const error = document.getElementById('error');
  const filesBox = document.getElementById('files');
  const el = (tag, props = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (k === 'class') node.className = v; else if (k === 'text') node.textContent = v; else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else if (v !== undefined && v !== false) node.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children) if (c) node.append(c);
    return node;
  };
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
  const nameOf = (id) => (state.users.find((u) => u.id === id) || {}).name || 'someone';
  const ago = (seconds) => {
    const diff = Math.round(seconds - Date.now() / 1000);
    const units = [['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1]];
    const [unit, size] = units.find(([, s]) => Math.abs(diff) >= s) || units[3];
    return new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' }).format(Math.round(diff / size), unit);
  };
  /** Discord's markdown, the parts cards use: escaped first, so nothing a prompt says becomes HTML. */
  const md = (text) => esc(text || '')
    .replace(/^-# (.*)$/gm, '<small>$1</small>')
    .replace(/^#{1,3} (.*)$/gm, '<strong>$1</strong>')
    .replace(/\\*\\*(.+?)\\*\\*/g, '<strong>$1</strong>')
    .replace(/\`([^\`]+)\`/g, '<code>$1</code>')
    .replace(/\\[([^\\]]+)\\]\\((https?:[^\\s)]+)\\)/g, '<a href="$2" target="_blank" rel="noopener noreferrer">$1</a>')
    .replace(/&#60;@!?(\\d+)&#62;/g, (_, id) => '@' + esc(nameOf(id)))
    .replace(/&#60;@&#38;(\\d+)&#62;/g, '@role')
    .replace(/&#60;#(\\d+)&#62;/g, '#channel')
    .replace(/&#60;t:(\\d+)(?::\\w)?&#62;/g, (_, t) => ago(Number(t)))
    .replace(/\\n/g, '<br>');
  const html = (tag, cls, markup) => { const n = el(tag, { class: cls }); n.innerHTML = markup; return n; };

  async function post(path, body) {
    const res = await fetch('/playground/' + path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-playground': '1' }, body: JSON.stringify({ user: state.me, locale: navigator.language, ...body }) });
    const answer = await res.json().catch(() => ({ error: 'no answer' }));
    if (!res.ok) throw new Error(answer.error || res.statusText);
    if (answer.callback && answer.callback.type === 9) openForm(answer.interactionId, answer.callback.data);
    return answer;
  }
  const show = (e) => { error.textContent = e ? e.message || String(e) : ''; };

  function imageOf(url, files) {
    if (!url) return undefined;
    if (url.startsWith('attachment://')) return (files.find((f) => f.filename === url.slice(13)) || {}).url;
    return url;
  }

  function component(c, message) {
    if (c.type === 2) {
      const label = [c.emoji && c.emoji.name, c.label].filter(Boolean).join(' ');
      if (c.style === 5) return el('a', { class: 'btn s5', href: c.url, target: '_blank', rel: 'noopener noreferrer', text: label + ' ↗' });
      return el('button', { class: 'btn s' + c.style, type: 'button', disabled: Boolean(c.disabled), text: label,
        onclick: () => post('click', { messageId: message.id, customId: c.custom_id }).then(() => show(), show) });
    }
    if (c.type === 3) {
      const select = el('select', { 'data-custom-id': c.custom_id, 'aria-label': c.placeholder || 'choose',
        onchange: () => post('select', { messageId: message.id, customId: c.custom_id, values: [select.value] }).then(() => show(), show) });
      for (const o of c.options || []) select.append(el('option', { value: o.value, selected: Boolean(o.default), text: o.label }));
      return select;
    }
    return undefined;
  }

  function draw(m) {
    const old = log.querySelector('[data-message-id="' + m.id + '"]');
    const hidden = m.deleted || m.channelId !== state.channel || (m.onlyFor && m.onlyFor !== state.me);
    if (hidden) { if (old) old.remove(); return; }
    const node = el('article', { class: 'msg', 'data-message-id': m.id, 'data-ephemeral': m.onlyFor ? 'true' : 'false' });
    node.append(el('div', {}, el('span', { class: 'who', text: m.author.name }), m.author.bot ? el('span', { class: 'bot', text: 'APP' }) : undefined));
    if (m.loading) node.append(el('div', { class: 'note', text: m.author.name + ' ' + S.thinking }));
    if (m.content) node.append(html('div', 'content', md(m.content)));
    const embedded = new Set();
    for (const e of m.embeds) {
      const box = el('div', { class: 'embed' });
      if (e.color !== undefined) box.style.borderLeftColor = '#' + Number(e.color).toString(16).padStart(6, '0');
      if (e.author && e.author.name) box.append(el('div', { class: 'footer', text: e.author.name }));
      if (e.thumbnail && e.thumbnail.url) box.append(el('img', { class: 'thumb', src: e.thumbnail.url, alt: '', loading: 'lazy' }));
      if (e.title && e.url) box.append(el('div', { class: 'title' }, el('a', { href: e.url, target: '_blank', rel: 'noopener noreferrer', text: e.title })));
      else if (e.title) box.append(html('div', 'title', md(e.title)));
      if (e.description) box.append(html('div', 'description', md(e.description)));
      if (e.fields && e.fields.length) {
        const fields = el('div', { class: 'fields' });
        for (const f of e.fields) { const field = html('div', 'field' + (f.inline ? ' inline' : ''), '<b>' + md(f.name) + '</b>' + md(f.value)); fields.append(field); }
        box.append(fields);
      }
      const src = imageOf(e.image && e.image.url, m.attachments);
      if (src) { if (e.image.url.startsWith('attachment://')) embedded.add(e.image.url.slice(13)); box.append(el('img', { src, alt: e.title || 'image', loading: 'lazy' })); }
      if (e.footer && e.footer.text) box.append(html('div', 'footer', md(e.footer.text)));
      node.append(box);
    }
    const files = m.attachments.filter((f) => !embedded.has(f.filename));
    if (files.length) {
      const box = el('div', { class: 'files' });
      for (const f of files) {
        if (f.contentType.startsWith('image/')) box.append(el('img', { src: f.url, alt: f.filename, loading: 'lazy' }));
        else if (f.contentType.startsWith('video/')) box.append(el('video', { src: f.url, controls: true, preload: 'metadata', playsinline: true }));
        else box.append(el('a', { href: f.url, download: f.filename, text: f.filename }));
      }
      node.append(box);
    }
    for (const row of m.components) node.append(el('div', { class: 'row' }, ...(row.components || []).map((c) => component(c, m))));
    if (m.onlyFor) node.append(el('div', { class: 'note', text: S.onlyYou }));
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
    if (old) old.replaceWith(node); else log.append(node);
    if (atBottom || !old) log.scrollTop = log.scrollHeight;
  }
  const redraw = () => { log.textContent = ''; for (const m of state.messages.values()) draw(m); };

  function openForm(interactionId, data) {
    const dialog = el('dialog');
    const form = el('form', { method: 'dialog' });
    form.append(el('h2', { text: data.title || '' }));
    const inputs = (data.components || []).flatMap((row) => row.type === 18 ? [{ ...row.component, label: row.label }] : row.components || []);
    for (const i of inputs) {
      const field = i.style === 2
        ? el('textarea', { name: i.custom_id, rows: 5, maxlength: i.max_length, required: Boolean(i.required), placeholder: i.placeholder })
        : el('input', { name: i.custom_id, maxlength: i.max_length, required: Boolean(i.required), placeholder: i.placeholder });
      field.value = i.value || '';
      form.append(el('label', {}, i.label || i.custom_id, field));
    }
    const cancel = el('button', { type: 'button', text: S.cancel, onclick: () => dialog.close() });
    form.append(el('div', { class: 'actions' }, cancel, el('button', { type: 'submit', text: S.submit })));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const values = Object.fromEntries(inputs.map((i) => [i.custom_id, form.elements[i.custom_id].value]));
      dialog.close();
      post('modal', { interactionId, values }).then(() => show(), show);
    });
    dialog.addEventListener('close', () => dialog.remove());
    dialog.append(form);
    document.body.append(dialog);
    dialog.showModal();
  }

  /** The command typed so far and its options (a subcommand's when it has them). */
  function typed() {
    const m = /^\\s*\\/([\\w-]+)(?:\\s+([\\w-]+))?/.exec(input.value);
    const command = m && state.commands.find((c) => c.name === m[1].toLowerCase());
    if (!command) return undefined;
    const subs = (command.options || []).filter((o) => o.type === 1);
    const sub = subs.find((s) => m[2] && s.name === m[2].toLowerCase());
    return { command, subs, options: sub ? sub.options || [] : subs.length ? [] : command.options || [] };
  }
  function describe() {
    const t = typed();
    const picked = new Map([...filesBox.querySelectorAll('input[type=file]')].map((f) => [f.dataset.option, f]));
    filesBox.textContent = '';
    if (!t) { hint.textContent = S.commandList + ' ' + state.commands.map((c) => '/' + c.name).join(' '); return; }
    const lines = ['/' + t.command.name + ' — ' + (t.command.description || '')];
    if (t.subs.length && !t.options.length) lines.push(S.subcommandList + ' ' + t.subs.map((s) => s.name).join(', '));
    for (const o of t.options) {
      lines.push('  ' + o.name + (o.required ? '*' : '') + ': ' + (o.description || '') + (o.choices ? ' (' + o.choices.map((c) => c.value).join(', ') + ')' : ''));
      if (o.type === 11) filesBox.append(el('label', {}, o.name + (o.required ? '* ' : ' '), picked.get(o.name) || el('input', { type: 'file', 'data-option': o.name, accept: 'image/*,video/*' })));
    }
    hint.textContent = lines.join('\\n');
  }
  function suggestions() {
    const list = document.getElementById('commands');
    list.textContent = '';
    for (const c of state.commands) {
      const subs = (c.options || []).filter((o) => o.type === 1);
      const entries = subs.length ? subs.map((s) => ({ text: '/' + c.name + ' ' + s.name, options: s.options || [] })) : [{ text: '/' + c.name, options: c.options || [] }];
      for (const e of entries) {
        const required = e.options.filter((o) => o.required && o.type !== 11).map((o) => o.name + ': ');
        list.append(el('option', { value: [e.text, ...required].join(' ') + (required.length ? '' : ' ') }));
      }
    }
  }

  document.getElementById('send').addEventListener('submit', async (event) => {
    event.preventDefault();
    show();
    try {
      const files = {};
      for (const picker of filesBox.querySelectorAll('input[type=file]')) {
        const file = picker.files && picker.files[0];
        if (!file) continue;
        const res = await fetch('/playground/upload?name=' + encodeURIComponent(file.name), { method: 'POST', body: file, headers: { 'x-playground': '1' } });
        const answer = await res.json();
        if (!res.ok) throw new Error(answer.error);
        files[picker.dataset.option] = answer.id;
      }
      await post('command', { text: input.value, files, channelId: state.channel });
      input.value = '';
      filesBox.textContent = '';
      describe();
    } catch (e) { show(e); }
  });
  input.addEventListener('input', describe);
  userSelect.addEventListener('change', () => { state.me = userSelect.value; redraw(); });
  /** One tab per channel; the one shown is current, another that got a message meanwhile is marked. */
  const drawTabs = () => {
    tabs.textContent = '';
    for (const c of state.channels) {
      tabs.append(el('button', { type: 'button', 'data-channel': c.name, 'aria-current': c.id === state.channel ? 'true' : 'false', text: '#' + c.name,
        onclick: () => { state.channel = c.id; drawTabs(); redraw(); } }));
    }
  };
  const markUnread = (m) => {
    const c = state.channels.find((x) => x.id === m.channelId);
    const tab = c && c.id !== state.channel && tabs.querySelector('[data-channel="' + c.name + '"]');
    if (tab) tab.classList.add('unread');
  };

  const feed = new EventSource('/playground/events');
  feed.addEventListener('snapshot', (event) => {
    const s = JSON.parse(event.data);
    state.users = s.users;
    state.commands = s.commands;
    state.channels = s.channels;
    if (!state.channels.some((c) => c.id === state.channel)) state.channel = (state.channels[0] || {}).id || '';
    drawTabs();
    if (!state.me) state.me = s.users[0].id;
    userSelect.textContent = '';
    for (const u of s.users) userSelect.append(el('option', { value: u.id, selected: u.id === state.me, text: u.name + ' (' + (u.admin ? S.admin : S.member) + ')' }));
    state.messages = new Map(s.messages.map((m) => [m.id, m]));
    drawApis(s.apis);
    redraw(); suggestions(); describe();
  });
  // Simulated APIs (SIMULATOR_UPSTREAMS): one button each stops or starts it, to watch new tasks fail over.
  const apisBox = document.getElementById('apis');
  const drawApis = (apis) => {
    apisBox.hidden = !apis || apis.length < 2;
    for (const old of apisBox.querySelectorAll('button')) old.remove();
    for (const api of apis || []) {
      const button = el('button', { type: 'button', 'data-api': api.name, text: api.name + ': ' + (api.up ? S.apiUp : S.apiDown) });
      button.addEventListener('click', () => post('api', { name: api.name, up: !api.up }).catch(show));
      apisBox.append(button);
    }
  };
  feed.addEventListener('apis', (event) => drawApis(JSON.parse(event.data)));
  feed.addEventListener('update', (event) => {
    const u = JSON.parse(event.data);
    if (u.commands) { state.commands = u.commands; suggestions(); describe(); }
    for (const m of u.messages) { if (!state.messages.has(m.id)) markUnread(m); state.messages.set(m.id, m); draw(m); }
  });
})();
`;

export function playgroundPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<title>mj-bridge playground</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<header>
<h1><span data-s="title">mj-bridge playground</span></h1>
<nav id="channels" aria-label="Channels"></nav>
<label><span data-s="actingAs">Acting as</span> <select id="user" aria-label="Acting as"></select></label>
<span id="apis" hidden><span data-s="apis">APIs:</span> </span>
</header>
<main id="log" aria-live="polite"></main>
<footer>
<div id="hint"></div>
<div id="files"></div>
<form id="send" autocomplete="off">
<input name="command" list="commands" placeholder="/imagine prompt: a red fox" aria-label="Command" enterkeyhint="send">
<datalist id="commands"></datalist>
<button type="submit" data-s="send">Send</button>
</form>
<div id="error" role="alert"></div>
</footer>
<script>const STRINGS = ${JSON.stringify(STRINGS).replace(/</g, '\\u003c')};${SCRIPT}</script>
</body>
</html>`;
}
