// Side panel script: prompt editor (token budget per 75-token chunk from the daemon's
// tokenizer, findings highlighted inline with one-click fixes, "fix all" as a before/after diff to
// accept, Optimize / Rewrite (LLM) / Preset into prompt proposed the same way by the host, Ctrl/Cmd+Up/Down to change the weight under the cursor), presets/size/count, reverse prompt, checkpoint
// picker with the compatible LoRAs and embeddings (weights, trigger words), catalog downloads
// with progress, and the gallery of generated assets ("Use prompt" restores prompt, negative,
// size, checkpoint and LoRAs). Talks only to the host.
import { clampWeight, type WeightRange } from '../../../../shared/prompt/extra-network-picker';
import { nudgeWeight } from '../../../../shared/prompt/weight-nudge';
import {
  type AdapterChoice,
  addTriggerWords,
  compatibleAdapters,
  EMBEDDING_WEIGHT,
  LORA_WEIGHT,
  progressLabel,
} from '../common/extra-networks';
import type {
  GalleryItem,
  HostToWebview,
  ModelItem,
  PanelAnalysis,
  PromptTool,
} from '../common/panel-messages';
import { galleryRestore, isStale, type PromptTexts, spansFor } from '../common/prompt-panel-logic';
import { byId, openChannel } from './post';
import { highlightBox } from './prompt-highlight';
import { proposalPanel } from './proposal';

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
const pullStatus = byId<HTMLParagraphElement>('pull-status');
const pullCancel = byId<HTMLButtonElement>('pull-cancel');
/** The download the progress line shows (what Cancel stops). */
let pulling: string | undefined;
const modelSelect = byId<HTMLSelectElement>('model');
const loraList = byId<HTMLUListElement>('loras');
const embeddingList = byId<HTMLUListElement>('embeddings');

/** What the user ticked and typed, kept across state refreshes (keyed by LoRA name / embedding token). */
const loraPicks = new Map<string, { on: boolean; weight: number }>();
const embeddingPicks = new Map<string, { on: boolean; weight: number; target: 'prompt' | 'negative' }>();
let allModels: ModelItem[] = [];
let adapters: AdapterChoice[] = [];
let connected = false;

let tokenRequest = 0;
let tokenTimer: ReturnType<typeof setTimeout> | undefined;
let galleryItems: GalleryItem[] = [];
/** The texts of the latest `analyze` request, and of the findings on show (null: none yet). */
let requestedTexts: PromptTexts = { prompt: '', negative: '' };
let analysedTexts: PromptTexts | null = null;
/** The texts a pending "fix all" was asked for. */
let fixAllBase: PromptTexts | null = null;
/** The prompt tool waiting for the host's proposal (its button is disabled meanwhile). */
let pendingTool: PromptTool | null = null;
const toolButtons: Record<PromptTool, HTMLButtonElement> = {
  optimize: byId<HTMLButtonElement>('optimize'),
  rewrite: byId<HTMLButtonElement>('rewrite'),
  presetIntoPrompt: byId<HTMLButtonElement>('preset-into-prompt'),
};
const toolBusy: Record<PromptTool, string> = {
  optimize: 'Optimizing…',
  rewrite: 'Asking the LLM to rewrite the prompt…',
  presetIntoPrompt: 'Writing the preset into the prompt…',
};

const highlights = { prompt: highlightBox(prompt), negative: highlightBox(negative) };
const texts = (): PromptTexts => ({ prompt: prompt.value, negative: negative.value });
const proposals = proposalPanel(
  { prompt, negative },
  (t) => setPrompt(t.prompt, t.negative),
  (why) => showNotice(why),
);

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

/** The findings' fixes are for the texts they were computed for: after an edit, check again instead. */
function recheckIfStale(): boolean {
  if (!isStale(analysedTexts, texts())) return false;
  findingsList.dataset.stale = 'true';
  showNotice('The prompt changed since it was checked: checking again.');
  analyzeNow();
  return true;
}

function renderAnalysis(a: PanelAnalysis): void {
  renderBudget(a.chunks, a.exact);
  analysedTexts = requestedTexts;
  const stale = isStale(analysedTexts, texts());
  if (stale) findingsList.dataset.stale = 'true';
  else delete findingsList.dataset.stale;
  highlights.prompt.show(stale ? [] : spansFor(a.findings, 'prompt'));
  highlights.negative.show(stale ? [] : spansFor(a.findings, 'negative'));
  findingsList.replaceChildren(
    ...a.findings.map((f) => {
      const li = el(
        'li',
        `${f.target === 'negative' ? 'negative: ' : ''}${f.message}`,
        `finding ${f.severity}`,
      );
      li.dataset.code = f.code;
      li.addEventListener('mouseenter', () => highlights[f.target].focus(f.code));
      li.addEventListener('mouseleave', () => highlights[f.target].focus(null));
      const fixed = f.fixedText;
      if (fixed !== undefined) {
        const b = el('button', f.fixLabel ?? 'Fix');
        b.type = 'button';
        b.addEventListener('click', () => {
          if (recheckIfStale()) return;
          if (f.target === 'negative') setPrompt(prompt.value, fixed);
          else setPrompt(fixed, negative.value);
        });
        li.append(b);
      }
      return li;
    }),
  );
  byId<HTMLButtonElement>('fix-all').disabled = !a.findings.some((f) => f.fixedText !== undefined);
}

function analyzeNow(): void {
  if (tokenTimer) clearTimeout(tokenTimer);
  tokenRequest++;
  requestedTexts = texts();
  channel.send({
    type: 'analyze',
    requestId: tokenRequest,
    prompt: requestedTexts.prompt,
    negativePrompt: requestedTexts.negative,
  });
}

function promptChanged(): void {
  if (isStale(analysedTexts, texts())) findingsList.dataset.stale = 'true';
  if (tokenTimer) clearTimeout(tokenTimer);
  tokenTimer = setTimeout(analyzeNow, 250);
}

function setPrompt(p: string, n: string): void {
  proposals.close();
  prompt.value = p;
  negative.value = n;
  // The old highlights are for the old text.
  highlights.prompt.show([]);
  highlights.negative.show([]);
  promptChanged();
}

/** Ctrl/Cmd+Up/Down: the weight of the keyword under the cursor (or the selection) ±0.1. */
function onWeightKey(area: HTMLTextAreaElement, e: KeyboardEvent): void {
  if (!(e.ctrlKey || e.metaKey) || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) return;
  const edit = nudgeWeight(
    area.value,
    area.selectionStart,
    area.selectionEnd,
    e.key === 'ArrowUp' ? 0.1 : -0.1,
  );
  e.preventDefault();
  if (!edit) return;
  area.value = edit.text;
  area.setSelectionRange(edit.selectionStart, edit.selectionEnd);
  area.dispatchEvent(new Event('input', { bubbles: true }));
}

/** "Use prompt" on a gallery entry: its prompt, negative prompt, size, checkpoint and LoRAs. */
function restoreFromGallery(it: GalleryItem): void {
  if (!it.prompt.trim()) {
    showNotice(`${it.name} records no prompt (no PNG parameters).`, 'error');
    return;
  }
  const r = galleryRestore(it);
  const notes: string[] = [];
  if (r.size) {
    if (![...size.options].some((o) => o.value === r.size)) size.append(el('option', r.size));
    size.value = r.size;
    size.dataset.touched = '1';
  }
  if (r.model) {
    const m = allModels.find(
      (x) => x.kind === 'checkpoint' && x.installed && (x.id === r.model || x.name === r.model),
    );
    if (m) modelSelect.value = m.id;
    else notes.push(`checkpoint ${r.model} is not installed`);
  }
  for (const pick of loraPicks.values()) pick.on = false;
  for (const l of r.loras) loraPicks.set(l.name, { on: true, weight: l.weight });
  renderAdapters();
  const missing = r.loras.filter((l) => !adapters.some((a) => a.kind === 'lora' && a.token === l.name));
  if (missing.length)
    notes.push(`LoRA ${missing.map((l) => l.name).join(', ')} not available for this checkpoint`);
  setPrompt(r.prompt, r.negativePrompt);
  showNotice(`Restored the prompt of ${it.name}${notes.length ? ` (${notes.join('; ')})` : ''}.`);
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
      img.addEventListener('click', () => restoreFromGallery(it));
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
      const use = el('button', 'Use prompt', 'use-prompt');
      use.type = 'button';
      use.title = 'put this prompt, its negative prompt, size, checkpoint and LoRAs back into the editor';
      use.addEventListener('click', () => restoreFromGallery(it));
      actions.append(use);
      fig.append(img, cap, actions);
      return fig;
    }),
  );
}

function weightInput(value: number, range: WeightRange, label: string): HTMLInputElement {
  const w = el('input', undefined, 'weight');
  w.type = 'number';
  w.min = String(range.min);
  w.max = String(range.max);
  w.step = '0.05';
  w.value = String(value);
  w.setAttribute('aria-label', label);
  return w;
}

/** The "use" checkbox and weight field of one LoRA or embedding row, bound to its pick. */
function pickControls(
  pick: { on: boolean; weight: number },
  range: WeightRange,
  what: string,
): [HTMLInputElement, HTMLInputElement] {
  const box = el('input');
  box.type = 'checkbox';
  box.checked = pick.on;
  box.setAttribute('aria-label', `use ${what}`);
  box.addEventListener('change', () => {
    pick.on = box.checked;
  });
  const w = weightInput(pick.weight, range, `weight of ${what}`);
  w.addEventListener('change', () => {
    pick.weight = clampWeight(Number(w.value), range);
    w.value = String(pick.weight);
  });
  return [box, w];
}

function loraItem(a: AdapterChoice): HTMLLIElement {
  const pick = loraPicks.get(a.token) ?? { on: false, weight: LORA_WEIGHT.default };
  loraPicks.set(a.token, pick);
  const li = el('li');
  li.dataset.name = a.token;
  const [box, w] = pickControls(pick, LORA_WEIGHT, `LoRA ${a.name}`);
  const label = el('label');
  label.append(box, ` ${a.name}${a.knownBase ? '' : ' (base unknown)'}`);
  li.append(label, w);
  if (a.triggerWords.length) {
    const t = el('span', undefined, 'triggers');
    for (const word of a.triggerWords) {
      const b = el('button', word, 'trigger');
      b.type = 'button';
      b.title = 'add this trigger word to the prompt';
      b.addEventListener('click', () => setPrompt(addTriggerWords(prompt.value, [word]), negative.value));
      t.append(b);
    }
    li.append(t);
  }
  return li;
}

function embeddingItem(a: AdapterChoice): HTMLLIElement {
  const pick = embeddingPicks.get(a.token) ?? {
    on: false,
    weight: EMBEDDING_WEIGHT.default,
    target: /neg|bad|easy/i.test(a.token) ? ('negative' as const) : ('prompt' as const),
  };
  embeddingPicks.set(a.token, pick);
  const li = el('li');
  li.dataset.token = a.token;
  const [box, w] = pickControls(pick, EMBEDDING_WEIGHT, `embedding ${a.token}`);
  const target = el('select');
  target.setAttribute('aria-label', `where embedding ${a.token} goes`);
  target.append(el('option', 'prompt'), el('option', 'negative'));
  target.value = pick.target;
  target.addEventListener('change', () => {
    pick.target = target.value === 'negative' ? 'negative' : 'prompt';
  });
  const label = el('label');
  label.append(box, ` ${a.token}${a.knownBase ? '' : ' (base unknown)'}`);
  li.append(label, w, target);
  return li;
}

function renderAdapters(): void {
  adapters = compatibleAdapters(allModels, modelSelect.value || null);
  const fill = (
    list: HTMLElement,
    kind: AdapterChoice['kind'],
    what: string,
    item: (a: AdapterChoice) => HTMLLIElement,
  ) => {
    const items = adapters.filter((a) => a.kind === kind).map(item);
    const none = el(
      'li',
      connected ? `No ${what} installed for this checkpoint.` : 'Connect to the daemon.',
      'muted',
    );
    list.replaceChildren(...(items.length ? items : [none]));
  };
  fill(loraList, 'lora', 'LoRAs', loraItem);
  fill(embeddingList, 'embedding', 'embeddings', embeddingItem);
}

function renderModelPicker(m: Extract<HostToWebview, { type: 'state' }>): void {
  const checkpoints = m.models.filter((x) => x.kind === 'checkpoint' && x.installed);
  const current = modelSelect.value || m.defaultModel || '';
  modelSelect.replaceChildren(
    ...checkpoints.map((x) => {
      const o = el('option', `${x.name}${x.id === m.defaultModel ? ' (default)' : ''}`);
      o.value = x.id;
      return o;
    }),
  );
  if (checkpoints.length === 0) modelSelect.append(el('option', 'no checkpoint installed'));
  modelSelect.value = checkpoints.some((x) => x.id === current) ? current : (checkpoints[0]?.id ?? '');
  modelSelect.disabled = checkpoints.length === 0;
  renderAdapters();
}

function renderState(m: Extract<HostToWebview, { type: 'state' }>): void {
  allModels = m.models;
  connected = m.connection === 'connected';
  renderModelPicker(m);
  byId('connection').textContent = m.statusText;
  const current = preset.value || m.defaultPreset;
  preset.replaceChildren(el('option', 'No preset'), ...m.presets.map((p) => el('option', p.name)));
  preset.options[0]!.value = '';
  m.presets.forEach((p, i) => {
    preset.options[i + 1]!.value = p.id;
  });
  preset.value = m.presets.some((p) => p.id === current) ? current : '';
  if (pendingTool !== 'presetIntoPrompt') toolButtons.presetIntoPrompt.disabled = !preset.value;
  const def = `${m.defaultWidth}x${m.defaultHeight}`;
  if (![...size.options].some((o) => o.value === def)) size.prepend(el('option', def));
  if (!size.dataset.touched) size.value = def;
  const models = byId<HTMLUListElement>('models');
  const listed = m.models.filter((x) => x.kind === 'checkpoint' || x.kind === 'clip' || !x.installed);
  models.replaceChildren(
    ...(listed.length
      ? listed.map((x) => {
          const li = el('li');
          li.dataset.model = x.id;
          li.append(
            el('span', `${x.name}${x.id === m.defaultModel ? ' (default)' : ''}`),
            el('span', x.installed ? 'installed' : 'not installed', 'muted'),
          );
          if (!x.installed) {
            const b = el('button', 'Download');
            b.type = 'button';
            b.addEventListener('click', () => channel.send({ type: 'pullModel', ref: x.id }));
            const bar = el('progress');
            bar.max = 1;
            bar.value = 0;
            bar.hidden = true;
            li.append(b, bar);
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

function runTool(tool: PromptTool): void {
  if (pendingTool) return;
  if (tool === 'presetIntoPrompt' && !preset.value) {
    showNotice('Pick a preset first.', 'error');
    return;
  }
  pendingTool = tool;
  toolButtons[tool].disabled = true;
  showNotice(toolBusy[tool]);
  channel.send({
    type: 'promptTool',
    tool,
    prompt: prompt.value,
    negativePrompt: negative.value,
    ...(preset.value ? { preset: preset.value } : {}),
    ...(modelSelect.value ? { model: modelSelect.value } : {}),
  });
}

function toolDone(tool: PromptTool): void {
  if (pendingTool === tool) pendingTool = null;
  toolButtons[tool].disabled = tool === 'presetIntoPrompt' && !preset.value;
}

function onProposal(m: Extract<HostToWebview, { type: 'proposal' }>): void {
  toolDone(m.tool);
  const base = { prompt: m.base.prompt, negative: m.base.negativePrompt };
  if (isStale(base, texts())) {
    showNotice(`The prompt changed while ${m.title} was running: run it again.`);
    return;
  }
  proposals.propose({
    title: m.title,
    base,
    next: { prompt: m.prompt, negative: m.negativePrompt },
    details: m.details,
    ...(m.clearPreset
      ? {
          onAccept: () => {
            preset.value = '';
            toolButtons.presetIntoPrompt.disabled = true;
          },
        }
      : {}),
  });
  showNotice(`${m.title}: review the change, then Accept or Reject.`);
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
      if (m.changes) {
        // "Fix all": shown as a diff against the texts it was computed for, applied on Accept.
        const base = fixAllBase;
        fixAllBase = null;
        if (!base || isStale(base, texts())) {
          recheckIfStale();
          showNotice('The prompt changed while it was being fixed: click Fix all again.');
          break;
        }
        proposals.propose({
          title: 'Fix all',
          base,
          next: { prompt: m.prompt, negative: m.negativePrompt },
          details: m.changes,
        });
        showNotice(m.changes.length ? `Proposed: ${m.changes.join('; ')}` : 'Nothing to fix.');
        break;
      }
      setPrompt(m.prompt, m.negativePrompt);
      showNotice(m.notice ?? 'Prompt read from the image.');
      break;
    case 'modelProgress': {
      const done = m.phase === 'done';
      const value = m.bytesTotal > 0 ? m.bytesDone / m.bytesTotal : 0;
      pullProgress.hidden = done;
      pullProgress.value = value;
      pullProgress.title = progressLabel(m);
      pullStatus.textContent = done ? '' : progressLabel(m);
      pulling = done ? undefined : m.model;
      pullCancel.hidden = done;
      pullCancel.disabled = false;
      const row = [...document.querySelectorAll<HTMLLIElement>('#models li')].find(
        (li) => li.dataset.model === m.model,
      );
      const bar = row?.querySelector('progress');
      if (bar) {
        bar.hidden = done;
        bar.value = value;
        bar.title = progressLabel(m);
      }
      break;
    }
    case 'proposal':
      onProposal(m);
      break;
    case 'toolFailed':
      toolDone(m.tool);
      showNotice(m.text, 'error');
      break;
    case 'notice':
      showNotice(m.text, m.level);
      break;
    default:
      break;
  }
});

for (const area of [prompt, negative]) {
  area.addEventListener('input', promptChanged);
  area.addEventListener('keydown', (e) => onWeightKey(area, e));
}
size.addEventListener('change', () => {
  size.dataset.touched = '1';
});
search.addEventListener('input', renderGallery);
byId('fix-all').addEventListener('click', () => {
  if (recheckIfStale()) return;
  fixAllBase = texts();
  channel.send({ type: 'fixAll', prompt: fixAllBase.prompt, negativePrompt: fixAllBase.negative });
});
for (const tool of ['optimize', 'rewrite', 'presetIntoPrompt'] as const)
  toolButtons[tool].addEventListener('click', () => runTool(tool));
preset.addEventListener('change', () => {
  if (pendingTool !== 'presetIntoPrompt') toolButtons.presetIntoPrompt.disabled = !preset.value;
});
byId('reverse').addEventListener('click', () => channel.send({ type: 'reversePrompt' }));
byId('pull').addEventListener('click', () => {
  const ref = byId<HTMLInputElement>('pull-ref').value.trim();
  if (ref) channel.send({ type: 'pullModel', ref });
});
pullCancel.addEventListener('click', () => {
  if (!pulling) return;
  pullCancel.disabled = true;
  channel.send({ type: 'cancelPull', model: pulling });
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
    ...(modelSelect.value ? { model: modelSelect.value } : {}),
    loras: adapters
      .filter((a) => a.kind === 'lora' && loraPicks.get(a.token)?.on)
      .map((a) => ({ name: a.token, weight: loraPicks.get(a.token)?.weight ?? LORA_WEIGHT.default })),
    embeddings: adapters
      .filter((a) => a.kind === 'embedding' && embeddingPicks.get(a.token)?.on)
      .map((a) => {
        const p = embeddingPicks.get(a.token);
        return {
          token: a.token,
          weight: p?.weight ?? EMBEDDING_WEIGHT.default,
          target: p?.target ?? 'prompt',
        };
      }),
  });
});
modelSelect.addEventListener('change', renderAdapters);
channel.send({ type: 'ready' });
