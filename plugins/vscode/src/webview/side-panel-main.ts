// Side panel script: prompt editor (token budget per 75-token chunk from the daemon's
// tokenizer, findings with one-click fixes), presets/size/count, reverse prompt, model picker
// with download progress, and the gallery of generated assets. Talks only to the host.
import type { GalleryItem, HostToWebview, PanelAnalysis } from '../common/panel-messages';
import { byId, openChannel } from './post';

const CHUNK_TOKENS = 75;
const channel = openChannel();
const prompt = byId<HTMLTextAreaElement>('prompt');
const negative = byId<HTMLTextAreaElement>('negative');
const budget = byId<HTMLDivElement>('budget');
const findingsList = byId<HTMLUListElement>('findings');
const preset = byId<HTMLSelectElement>('preset');
const size = byId<HTMLSelectElement>('size');
const count = byId<HTMLSelectElement>('count');
const notice = byId<HTMLParagraphElement>('notice');
const search = byId<HTMLInputElement>('search');
const gallery = byId<HTMLDivElement>('gallery');
const pullProgress = byId<HTMLProgressElement>('pull-progress');

let tokenRequest = 0;
let tokenTimer: ReturnType<typeof setTimeout> | undefined;
let galleryItems: GalleryItem[] = [];

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  cls?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function showNotice(text: string, level: 'info' | 'error' = 'info'): void {
  notice.textContent = text;
  notice.className = `notice ${level}`;
}

function renderBudget(chunks: number[], exact: boolean): void {
  budget.replaceChildren(
    ...chunks.map((n, i) => {
      const c = el('div', undefined, n >= CHUNK_TOKENS ? 'chunk full' : 'chunk');
      const fill = el('div', undefined, 'fill');
      fill.style.width = `${Math.min(100, (n / CHUNK_TOKENS) * 100)}%`;
      c.title = `chunk ${i + 1}: ${n}/${CHUNK_TOKENS} tokens${exact ? '' : ' (estimated: daemon not connected)'}`;
      c.append(fill, el('span', `${exact ? '' : '≈'}${n}/${CHUNK_TOKENS}`));
      return c;
    }),
  );
}

function renderAnalysis(a: PanelAnalysis): void {
  renderBudget(a.chunks, a.exact);
  findingsList.replaceChildren(
    ...a.findings.map((f) => {
      const li = el(
        'li',
        `${f.target === 'negative' ? 'negative: ' : ''}${f.message}`,
        `finding ${f.severity}`,
      );
      li.dataset.code = f.code;
      const fixed = f.fixedText;
      if (fixed !== undefined) {
        const b = el('button', f.fixLabel ?? 'Fix');
        b.type = 'button';
        b.addEventListener('click', () =>
          f.target === 'negative' ? setPrompt(prompt.value, fixed) : setPrompt(fixed, negative.value),
        );
        li.append(b);
      }
      return li;
    }),
  );
  byId<HTMLButtonElement>('fix-all').disabled = !a.findings.some((f) => f.fixedText !== undefined);
}

function promptChanged(): void {
  if (tokenTimer) clearTimeout(tokenTimer);
  tokenTimer = setTimeout(() => {
    tokenRequest++;
    channel.send({
      type: 'analyze',
      requestId: tokenRequest,
      prompt: prompt.value,
      negativePrompt: negative.value,
    });
  }, 250);
}

function setPrompt(p: string, n: string): void {
  prompt.value = p;
  negative.value = n;
  promptChanged();
}

function renderGallery(): void {
  const q = search.value.toLowerCase().split(/\s+/).filter(Boolean);
  const items = galleryItems.filter((it) =>
    q.every((w) => `${it.prompt} ${it.name}`.toLowerCase().includes(w)),
  );
  if (items.length === 0) {
    gallery.replaceChildren(
      el('p', galleryItems.length ? 'No asset matches.' : 'No generated assets yet.', 'muted'),
    );
    return;
  }
  gallery.replaceChildren(
    ...items.map((it) => {
      const fig = el('figure');
      fig.dataset.path = it.path;
      const img = el('img');
      img.src = it.src;
      img.alt = it.prompt || it.name;
      img.title = it.prompt ? `${it.prompt}${it.seed !== undefined ? ` (seed ${it.seed})` : ''}` : it.name;
      const cap = el('figcaption', it.name);
      const actions = el('div', undefined, 'actions');
      for (const [label, type] of [
        ['Insert', 'galleryInsert'],
        ['Reveal', 'galleryReveal'],
        ['Regenerate', 'galleryRegenerate'],
      ] as const) {
        const b = el('button', label);
        b.type = 'button';
        b.addEventListener('click', () => channel.send({ type, path: it.path }));
        actions.append(b);
      }
      const use = el('button', 'Use prompt');
      use.type = 'button';
      use.addEventListener('click', () => setPrompt(it.prompt, negative.value));
      actions.append(use);
      fig.append(img, cap, actions);
      return fig;
    }),
  );
}

function renderState(m: Extract<HostToWebview, { type: 'state' }>): void {
  byId('connection').textContent = m.statusText;
  const current = preset.value || m.defaultPreset;
  preset.replaceChildren(el('option', 'No preset'), ...m.presets.map((p) => el('option', p.name)));
  preset.options[0]!.value = '';
  m.presets.forEach((p, i) => {
    preset.options[i + 1]!.value = p.id;
  });
  preset.value = m.presets.some((p) => p.id === current) ? current : '';
  const def = `${m.defaultWidth}x${m.defaultHeight}`;
  if (![...size.options].some((o) => o.value === def)) size.prepend(el('option', def));
  if (!size.dataset.touched) size.value = def;
  const models = byId<HTMLUListElement>('models');
  models.replaceChildren(
    ...(m.models.length
      ? m.models.map((x) => {
          const li = el('li');
          li.append(
            el('span', `${x.name}${x.id === m.defaultModel ? ' (default)' : ''}`),
            el('span', x.installed ? 'installed' : 'not installed', 'muted'),
          );
          if (!x.installed) {
            const b = el('button', 'Download');
            b.type = 'button';
            b.addEventListener('click', () => channel.send({ type: 'pullModel', ref: x.id }));
            li.append(b);
          }
          return li;
        })
      : [
          el(
            'li',
            m.connection === 'connected' ? 'No models.' : 'Connect to the daemon to list models.',
            'muted',
          ),
        ]),
  );
}

channel.onMessage((m) => {
  switch (m.type) {
    case 'state':
      renderState(m);
      break;
    case 'analysis':
      if (m.requestId === tokenRequest) renderAnalysis(m);
      break;
    case 'gallery':
      galleryItems = m.items;
      renderGallery();
      break;
    case 'prompt':
      setPrompt(m.prompt, m.negativePrompt);
      showNotice(
        m.changes ? `Fixed: ${m.changes.join('; ') || 'nothing to change'}` : 'Prompt read from the image.',
      );
      break;
    case 'modelProgress':
      pullProgress.hidden = m.phase === 'done';
      pullProgress.value = m.bytesTotal > 0 ? m.bytesDone / m.bytesTotal : 0;
      pullProgress.title = `${m.model}: ${m.phase} ${Math.round(m.bytesDone / 1e6)}/${Math.round(m.bytesTotal / 1e6)} MB`;
      break;
    case 'notice':
      showNotice(m.text, m.level);
      break;
    default:
      break;
  }
});

prompt.addEventListener('input', promptChanged);
negative.addEventListener('input', promptChanged);
size.addEventListener('change', () => {
  size.dataset.touched = '1';
});
search.addEventListener('input', renderGallery);
byId('fix-all').addEventListener('click', () =>
  channel.send({ type: 'fixAll', prompt: prompt.value, negativePrompt: negative.value }),
);
byId('reverse').addEventListener('click', () => channel.send({ type: 'reversePrompt' }));
byId('pull').addEventListener('click', () => {
  const ref = byId<HTMLInputElement>('pull-ref').value.trim();
  if (ref) channel.send({ type: 'pullModel', ref });
});
byId('generate').addEventListener('click', () => {
  const text = prompt.value.trim();
  if (!text) {
    showNotice('Write a prompt first.', 'error');
    return;
  }
  const [w, h] = size.value.split('x').map(Number);
  channel.send({
    type: 'generate',
    prompt: text,
    negativePrompt: negative.value,
    preset: preset.value || undefined,
    width: w ?? 512,
    height: h ?? 512,
    count: Number(count.value) || 1,
  });
});
channel.send({ type: 'ready' });
