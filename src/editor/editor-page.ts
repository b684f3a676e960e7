/**
 * The region editor page: one self-contained HTML document (no CDN, works offline), light and dark, mouse and
 * touch. The image is drawn on one canvas at its natural size, scaled to fit; the painted area is kept in a mask of
 * the same size and shown as a translucent overlay; on submit the mask is sent as a black-and-white PNG.
 */
import { messagesFor, type Locale } from '../i18n';

/** The page's words in both languages (src/i18n): the script picks by the browser's language. */
const STRINGS = { en: messagesFor('en').editor.page, zh: messagesFor('zh-CN').editor.page };

/** zh-CN for a browser or Accept-Language that prefers Chinese, else English. */
export const langOf = (acceptLanguage: string | undefined): Locale => (/^\s*zh/i.test(acceptLanguage ?? '') ? 'zh-CN' : 'en');

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STYLE = `
:root { color-scheme: light dark; --bg: #f6f6f7; --fg: #1e1f22; --panel: #ffffff; --line: #d4d5d9; --accent: #5865f2; }
@media (prefers-color-scheme: dark) { :root { --bg: #1e1f22; --fg: #f2f3f5; --panel: #2b2d31; --line: #3f4147; } }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.4 system-ui, sans-serif; background: var(--bg); color: var(--fg); }
main { max-width: 1100px; margin: 0 auto; padding: 12px; display: grid; gap: 10px; }
h1 { font-size: 18px; margin: 0; }
.tools { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 6px; }
.tools button { font: inherit; padding: 6px 10px; border-radius: 6px; border: 1px solid var(--line); background: transparent; color: inherit; min-height: 36px; }
.tools button[aria-pressed="true"] { background: var(--accent); color: #fff; border-color: var(--accent); }
.stage { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 6px; display: flex; justify-content: center; }
canvas { max-width: 100%; max-height: 70vh; height: auto; touch-action: none; cursor: crosshair; display: block; }
textarea { width: 100%; min-height: 70px; font: inherit; padding: 8px; border-radius: 8px; border: 1px solid var(--line); background: var(--panel); color: inherit; }
form > button { font: inherit; font-weight: 600; padding: 10px 18px; border: 0; border-radius: 8px; background: var(--accent); color: #fff; min-height: 44px; }
#status { min-height: 1.4em; }
#status a { color: var(--accent); }
`;

const SCRIPT = `
(() => {
  const S = STRINGS[navigator.language && /^zh/i.test(navigator.language) ? 'zh' : 'en'];
  for (const el of document.querySelectorAll('[data-s]')) el.textContent = S[el.dataset.s];
  document.title = S.title;
  const canvas = document.getElementById('canvas');
  const view = canvas.getContext('2d');
  const mask = document.createElement('canvas');
  const paint = mask.getContext('2d', { willReadFrequently: true });
  const image = new Image();
  let tool = 'brush', size = 40, drag = null, undo = [], redo = [];
  const COLOR = 'rgba(255, 45, 122, 1)';
  image.onload = () => {
    canvas.width = mask.width = image.naturalWidth;
    canvas.height = mask.height = image.naturalHeight;
    size = Math.max(4, Math.round(Math.min(image.naturalWidth, image.naturalHeight) / 16));
    document.getElementById('size').value = String(size);
    document.getElementById('size').max = String(Math.max(8, Math.round(Math.min(image.naturalWidth, image.naturalHeight) / 4)));
    draw();
  };
  image.src = IMAGE_URL;
  function draw(preview) {
    view.globalAlpha = 1;
    view.drawImage(image, 0, 0);
    view.globalAlpha = 0.5;
    view.drawImage(mask, 0, 0);
    if (preview) { view.globalAlpha = 0.5; preview(view); }
    view.globalAlpha = 1;
  }
  function at(event) {
    const box = canvas.getBoundingClientRect();
    return { x: (event.clientX - box.left) * canvas.width / box.width, y: (event.clientY - box.top) * canvas.height / box.height };
  }
  function snapshot() {
    undo.push(paint.getImageData(0, 0, mask.width, mask.height));
    if (undo.length > 30) undo.shift();
    redo = [];
  }
  function stroke(from, to) {
    paint.globalCompositeOperation = tool === 'eraser' ? 'destination-out' : 'source-over';
    paint.strokeStyle = COLOR; paint.lineWidth = size; paint.lineCap = 'round'; paint.lineJoin = 'round';
    paint.beginPath(); paint.moveTo(from.x, from.y); paint.lineTo(to.x + 0.01, to.y); paint.stroke();
  }
  canvas.addEventListener('pointerdown', (event) => {
    if (!mask.width) return;
    canvas.setPointerCapture(event.pointerId);
    snapshot();
    const p = at(event);
    drag = { start: p, last: p, points: [p] };
    if (tool === 'brush' || tool === 'eraser') { stroke(p, p); draw(); }
  });
  canvas.addEventListener('pointermove', (event) => {
    if (!drag) return;
    const p = at(event);
    if (tool === 'brush' || tool === 'eraser') { stroke(drag.last, p); drag.last = p; draw(); }
    else if (tool === 'rectangle') { drag.last = p; draw((c) => { c.fillStyle = COLOR; c.fillRect(drag.start.x, drag.start.y, p.x - drag.start.x, p.y - drag.start.y); }); }
    else if (tool === 'lasso') { drag.points.push(p); draw((c) => { c.strokeStyle = COLOR; c.lineWidth = 3; c.beginPath(); drag.points.forEach((q, i) => i ? c.lineTo(q.x, q.y) : c.moveTo(q.x, q.y)); c.stroke(); }); }
  });
  const end = (event) => {
    if (!drag) return;
    const p = at(event);
    paint.globalCompositeOperation = 'source-over';
    paint.fillStyle = COLOR;
    if (tool === 'rectangle') paint.fillRect(drag.start.x, drag.start.y, p.x - drag.start.x, p.y - drag.start.y);
    if (tool === 'lasso' && drag.points.length > 2) { paint.beginPath(); drag.points.forEach((q, i) => i ? paint.lineTo(q.x, q.y) : paint.moveTo(q.x, q.y)); paint.closePath(); paint.fill(); }
    drag = null;
    draw();
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  for (const button of document.querySelectorAll('[data-tool]')) {
    button.addEventListener('click', () => {
      tool = button.dataset.tool;
      for (const other of document.querySelectorAll('[data-tool]')) other.setAttribute('aria-pressed', String(other === button));
    });
  }
  document.getElementById('size').addEventListener('input', (event) => { size = Number(event.target.value); });
  document.getElementById('undo').addEventListener('click', () => { if (!undo.length) return; redo.push(paint.getImageData(0, 0, mask.width, mask.height)); paint.putImageData(undo.pop(), 0, 0); draw(); });
  document.getElementById('redo').addEventListener('click', () => { if (!redo.length) return; undo.push(paint.getImageData(0, 0, mask.width, mask.height)); paint.putImageData(redo.pop(), 0, 0); draw(); });
  document.getElementById('clear').addEventListener('click', () => { snapshot(); paint.clearRect(0, 0, mask.width, mask.height); draw(); });
  /** The mask as Midjourney takes it: white where painted, black elsewhere, nothing in between. */
  function maskPng() {
    const out = document.createElement('canvas');
    out.width = mask.width; out.height = mask.height;
    const ctx = out.getContext('2d');
    const src = paint.getImageData(0, 0, mask.width, mask.height);
    const dst = ctx.createImageData(mask.width, mask.height);
    let painted = 0;
    for (let i = 0; i < src.data.length; i += 4) {
      const v = src.data[i + 3] >= 128 ? 255 : 0;
      if (v) painted += 1;
      dst.data[i] = dst.data[i + 1] = dst.data[i + 2] = v; dst.data[i + 3] = 255;
    }
    ctx.putImageData(dst, 0, 0);
    return painted ? out.toDataURL('image/png') : '';
  }
  const form = document.getElementById('form');
  const status = document.getElementById('status');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = maskPng();
    if (!data) { status.textContent = S.empty; return; }
    const submit = form.querySelector('button[type=submit]');
    submit.disabled = true;
    status.textContent = S.sending;
    try {
      const response = await fetch(location.pathname, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt: form.prompt.value, mask: data }) });
      const answer = await response.json();
      if (!response.ok) throw new Error(answer.error || response.status);
      status.innerHTML = '';
      const link = document.createElement('a');
      link.href = answer.channelUrl; link.textContent = S.sent;
      status.append(link);
      document.body.dataset.sent = 'true';
    } catch (error) {
      status.textContent = S.failed + ': ' + error.message;
      submit.disabled = false;
    }
  });
})();
`;

/** The editor for a session: its image comes from `imagePath` (served by the bot). */
export function editorPage(options: { imagePath: string; prompt: string; maxPromptLength: number }): string {
  const en = STRINGS.en;
  const button = (key: keyof typeof en, attrs: string) => `<button type="button" ${attrs} data-s="${key}">${en[key]}</button>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${en.title}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1 data-s="title">${en.title}</h1>
<p data-s="hint">${en.hint}</p>
<div class="tools" role="toolbar">
${button('brush', 'data-tool="brush" aria-pressed="true"')}
${button('rectangle', 'data-tool="rectangle" aria-pressed="false"')}
${button('lasso', 'data-tool="lasso" aria-pressed="false"')}
${button('eraser', 'data-tool="eraser" aria-pressed="false"')}
<label><span data-s="size">${en.size}</span> <input id="size" type="range" min="2" max="200" value="40"></label>
${button('undo', 'id="undo"')}
${button('redo', 'id="redo"')}
${button('clear', 'id="clear"')}
</div>
<div class="stage"><canvas id="canvas" width="1" height="1"></canvas></div>
<form id="form">
<label for="prompt" data-s="prompt">${en.prompt}</label>
<textarea id="prompt" name="prompt" maxlength="${options.maxPromptLength}" required>${escapeHtml(options.prompt)}</textarea>
<p id="status" role="status"></p>
<button type="submit" data-s="submit">${en.submit}</button>
</form>
</main>
<script>const STRINGS = ${JSON.stringify(STRINGS)}; const IMAGE_URL = ${JSON.stringify(options.imagePath)};${SCRIPT}</script>
</body>
</html>`;
}

/** A page that explains a refusal (expired, used, unknown link …) in the browser's language. */
export function messagePage(title: string, text: string, locale: Locale): string {
  return `<!doctype html>
<html lang="${locale}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></main></body>
</html>`;
}
