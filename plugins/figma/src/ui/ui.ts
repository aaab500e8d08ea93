// Entry point of the UI iframe (inlined into dist/ui.html): the composition root of the panel.
// Holds the WebSocket to the daemon through the shared StippleClient (the sandbox has no
// network), talks to the sandbox through the validated bridge, and renders the panel.

import type { z } from 'zod';
import { appendKeyword } from '../../../../shared/prompt/extra-network-picker';
import { nudgeWeight } from '../../../../shared/prompt/weight-nudge';
import type { GenerateRequest } from '../../../../shared/protocol/generate-request';
import type { ModelEntry, PresetEntry } from '../../../../shared/protocol/server-messages';
import { ClientError, type ConnectionState, StippleClient } from '../../../../shared/protocol/stipple-client';
import type { SelectionInfo } from '../contract/plugin-messages';
import { browserSocket } from './browser-socket';
import { el, show } from './dom';
import { createNetworksPicker } from './extra-networks';
import { applyParams, applyPrefs, formFields, readSettings, toPrefs } from './generation-form';
import { CancelledError, type RunningJob, runJob, SelectionError } from './job-runner';
import { createLiveScheduler } from './live-scheduler';
import { DEFAULT_PORT, type Prefs, parsePrefs } from './prefs';
import { attachPromptCheck, presetFamily } from './prompt-check';
import { attachHighlighter } from './prompt-highlight';
import { createHistoryPanel } from './prompt-history';
import {
  NoInterrogatorError,
  optimizeWithDaemon,
  presetIntoPrompt,
  reversePrompt,
  rewriteWithDaemon,
} from './prompt-tools';
import { createProposalPanel } from './proposal';
import { createResultsStrip, type StripItem } from './results-strip';
import { createSandboxBridge } from './sandbox-bridge';
import { decodeStoredParams, type StoredParams } from './stored-params';
import { attachTokenCounter } from './token-counter';

type Model = z.infer<typeof ModelEntry>;
type Preset = z.infer<typeof PresetEntry>;

const STATE_TEXT: Record<ConnectionState, string> = {
  idle: 'Not connected',
  connecting: 'Connecting to the Stipple daemon…',
  connected: 'Connected',
  unauthorized: 'Not paired with this daemon',
  version_mismatch: 'The daemon speaks another protocol version: update the plugin or the daemon',
  daemon_unreachable: 'Daemon not running',
  closed: 'Disconnected',
};

const f = formFields();
const ui = {
  dot: el('conn-dot', HTMLSpanElement),
  connText: el('conn-text', HTMLSpanElement),
  retry: el('retry', HTMLButtonElement),
  unreachable: el('unreachable', HTMLElement),
  daemonUrl: el('daemon-url', HTMLElement),
  pairing: el('pairing', HTMLElement),
  pairCode: el('pair-code', HTMLInputElement),
  pairButton: el('pair-button', HTMLButtonElement),
  pairError: el('pair-error', HTMLParagraphElement),
  selLabel: el('selection-label', HTMLDivElement),
  selReason: el('selection-reason', HTMLDivElement),
  genActions: el('generated-actions', HTMLDivElement),
  useParams: el('use-params', HTMLButtonElement),
  regenerate: el('regenerate', HTMLButtonElement),
  variations: el('variations', HTMLButtonElement),
  copyParams: el('copy-params', HTMLButtonElement),
  promptTokens: el('prompt-tokens', HTMLSpanElement),
  negativeTokens: el('negative-tokens', HTMLSpanElement),
  modelBox: el('model-download', HTMLDivElement),
  modelText: el('model-download-text', HTMLSpanElement),
  modelButton: el('model-download-button', HTMLButtonElement),
  modelCancel: el('model-download-cancel', HTMLButtonElement),
  modelProgress: el('model-progress', HTMLProgressElement),
  seedDice: el('seed-dice', HTMLButtonElement),
  seedLock: el('seed-lock', HTMLButtonElement),
  live: el('live', HTMLInputElement),
  liveKeep: el('live-keep', HTMLButtonElement),
  generate: el('generate', HTMLButtonElement),
  cancel: el('cancel', HTMLButtonElement),
  ask: el('ask-only-masked', HTMLDivElement),
  askText: el('ask-only-masked-text', HTMLParagraphElement),
  askYes: el('ask-only-masked-yes', HTMLButtonElement),
  askNo: el('ask-only-masked-no', HTMLButtonElement),
  job: el('job', HTMLDivElement),
  jobStatus: el('job-status', HTMLSpanElement),
  jobProgress: el('job-progress', HTMLProgressElement),
  preview: el('preview', HTMLImageElement),
  notices: el('notices', HTMLDivElement),
  error: el('error', HTMLDivElement),
  errorText: el('error-text', HTMLSpanElement),
  errorAction: el('error-action', HTMLButtonElement),
  results: el('results', HTMLDivElement),
  imageActions: el('image-actions', HTMLDivElement),
  reversePrompt: el('reverse-prompt', HTMLButtonElement),
  optimize: el('optimize', HTMLButtonElement),
  rewrite: el('rewrite', HTMLButtonElement),
  presetIntoPrompt: el('preset-into-prompt', HTMLButtonElement),
};

let prefs: Prefs = {};
/** Checkpoints (the model select). */
let models: Model[] = [];
/** Everything the daemon lists: checkpoints, LoRAs, embeddings, VAEs, CLIP. */
let catalog: Model[] = [];
let presets: Preset[] = [];
let storedParams: StoredParams | null = null;
let running: RunningJob | null = null;
let onlyMaskedDecided = false;
let seedLocked = false;
/** Whether a live preview layer is on the canvas (to keep or discard). */
let livePreviewShown = false;
let previewUrl: string | null = null;
let client: StippleClient | null = null;
let token: string | null = null;

const bridge = createSandboxBridge(window, (reason) =>
  showError(`Ignored a malformed message from Figma: ${reason}`),
);

// ---- errors and notices, shown in place ------------------------------------------------------

function showError(text: string, action?: { label: string; run: () => void }): void {
  ui.errorText.textContent = text;
  show(ui.error, true);
  show(ui.errorAction, Boolean(action));
  ui.errorAction.textContent = action?.label ?? '';
  ui.errorAction.onclick = action ? () => action.run() : null;
}

function clearError(): void {
  show(ui.error, false);
}

function describeError(e: unknown): { text: string; action?: { label: string; run: () => void } } {
  if (e instanceof SelectionError) return { text: e.message };
  if (e instanceof ClientError) {
    switch (e.code) {
      case 'E_MODEL_NOT_FOUND': {
        const model = models.find((m) => m.id === f.model.value);
        return model && !model.installed
          ? {
              text: `${model.name} is not installed.`,
              action: { label: 'Download', run: () => pullModel(model) },
            }
          : { text: `${e.message}. Pick an installed model.` };
      }
      case 'E_QUEUE_FULL':
        return {
          text: `The daemon's queue is full; try again in ${Math.ceil((e.retryAfterMs ?? 1000) / 1000)} s.`,
        };
      case 'E_NOT_CONNECTED':
      case 'E_DISCONNECTED':
        return {
          text: 'Not connected to the Stipple daemon. Start it with `npx stipple serve` (or `npm start`).',
        };
      default:
        return { text: e.field ? `${e.message}` : e.message };
    }
  }
  return { text: e instanceof Error ? e.message : String(e) };
}

// ---- connection and pairing -----------------------------------------------------------------

function daemonUrl(): string {
  return `ws://localhost:${prefs.port ?? DEFAULT_PORT}/ws`;
}

function renderState(state: ConnectionState, detail?: string): void {
  ui.dot.dataset.state = state;
  ui.connText.textContent = STATE_TEXT[state];
  ui.connText.title = detail ?? '';
  show(ui.unreachable, state === 'daemon_unreachable');
  show(ui.pairing, state === 'unauthorized');
  show(ui.retry, state === 'daemon_unreachable');
  ui.generate.disabled = state !== 'connected';
  if (state === 'unauthorized' && detail && !/no token/.test(detail)) {
    ui.pairError.textContent = 'The daemon no longer accepts the saved token: pair again.';
    show(ui.pairError, true);
  }
  if (state === 'connected') {
    show(ui.pairError, false);
    void loadCatalogs();
    refreshPromptTokens();
    refreshNegativeTokens();
    refreshPromptCheck();
  }
}

function connect(newToken: string | null): void {
  token = newToken;
  client?.close();
  const c = new StippleClient({
    url: daemonUrl(),
    token: token ?? undefined,
    client: { name: 'figma', version: '0.1.0' },
    createSocket: browserSocket,
    reconnect: { minMs: 500, maxMs: 5000 },
    heartbeatMs: 10_000,
  });
  client = c;
  ui.daemonUrl.textContent = daemonUrl().replace(/\/ws$/, '');
  c.onState(renderState);
  c.onMessage((m) => {
    if (m.type === 'model_progress') renderModelProgress(m.model, m.bytesDone, m.bytesTotal, m.etaSec);
    if (m.type === 'model_done') void loadCatalogs();
    if (m.type === 'error' && !m.jobId && m.code.startsWith('E_HUB')) showError(m.message);
  });
  c.connect();
}

async function pair(): Promise<void> {
  const code = ui.pairCode.value.trim();
  if (!/^\d{4,12}$/.test(code)) {
    ui.pairError.textContent = 'Type the digits of the code the daemon shows.';
    show(ui.pairError, true);
    return;
  }
  if (!client) return;
  ui.pairButton.disabled = true;
  try {
    const { token } = await client.pair(code);
    bridge.post({ type: 'save-token', token });
    show(ui.pairError, false);
    ui.pairCode.value = '';
    connect(token);
  } catch (e) {
    const wrong = e instanceof ClientError && e.code === 'E_PAIRING_CODE';
    ui.pairError.textContent = wrong
      ? 'That code is wrong or expired. Get a new one with `npx stipple pair` and try again.'
      : describeError(e).text;
    show(ui.pairError, true);
  } finally {
    ui.pairButton.disabled = false;
  }
}

// ---- models and presets ---------------------------------------------------------------------

async function loadCatalogs(): Promise<void> {
  if (!client) return;
  try {
    const reply = await client.request({ type: 'models' });
    if (reply.type === 'models') {
      catalog = reply.models;
      models = reply.models.filter((m) => m.kind === 'checkpoint');
      const keep = f.model.value || prefs.model || reply.loaded || reply.defaultModel || '';
      f.model.replaceChildren(
        ...models.map((m) => new Option(m.installed ? m.name : `${m.name} (not installed)`, m.id)),
      );
      if (models.some((m) => m.id === keep)) f.model.value = keep;
      else if (reply.defaultModel) f.model.value = reply.defaultModel;
      onModelChange(false);
    }
    const reply2 = await client.request({ type: 'presets' });
    if (reply2.type === 'presets') {
      presets = reply2.presets;
      const keep = f.preset.value || prefs.preset || '';
      f.preset.replaceChildren(new Option('None', ''), ...presets.map((p) => new Option(p.name, p.id)));
      f.preset.value = presets.some((p) => p.id === keep) ? keep : '';
      show(ui.presetIntoPrompt, f.preset.value !== '');
    }
  } catch (e) {
    showError(`Could not load models and presets: ${describeError(e).text}`);
  }
}

function isTurbo(m: Model | undefined): boolean {
  return Boolean(m && /turbo|lcm|lightning/i.test(`${m.family} ${m.id}`));
}

function onModelChange(applyDefaults: boolean): void {
  const m = models.find((x) => x.id === f.model.value);
  networks.render(catalog, m?.family);
  show(ui.modelBox, Boolean(m && !m.installed));
  if (m && !m.installed) {
    const gb = m.sizeBytes ? ` (${(m.sizeBytes / 1e9).toFixed(1)} GB)` : '';
    ui.modelText.textContent = `${m.name} is not installed${gb}.`;
    ui.modelButton.onclick = () => pullModel(m);
  }
  if (applyDefaults && m?.defaults) {
    const d = m.defaults;
    if (d.width) f.width.value = String(d.width);
    if (d.height) f.height.value = String(d.height);
    if (d.steps) f.steps.value = String(d.steps);
    if (d.cfg !== undefined) f.cfg.value = String(d.cfg);
    if (d.sampler) f.sampler.value = d.sampler;
  }
  ui.live.disabled = !isTurbo(m);
  el('live-hint', HTMLSpanElement).textContent = isTurbo(m)
    ? 'The canvas follows the prompt (1–4 steps).'
    : 'Live mode needs a Turbo model.';
  if (!isTurbo(m) && ui.live.checked) setLive(false);
}

function renderModelProgress(model: string, done: number, total: number, etaSec: number | null): void {
  show(ui.modelBox, true);
  show(ui.modelProgress, true);
  show(ui.modelCancel, true);
  ui.modelProgress.value = total > 0 ? done / total : 0;
  const eta = etaSec !== null ? `, about ${Math.ceil(etaSec)} s left` : '';
  ui.modelText.textContent = `Downloading ${model}: ${(done / 1e6).toFixed(0)} / ${(total / 1e6).toFixed(0)} MB${eta}`;
  ui.modelCancel.onclick = () => void client?.request({ type: 'model_cancel', model }).catch(() => undefined);
}

function pullModel(m: Model): void {
  if (!client) return;
  clearError();
  ui.modelButton.disabled = true;
  renderModelProgress(m.id, 0, m.sizeBytes ?? 0, null);
  // The answer (`model_done`) comes when the download ends, which can take longer than the
  // client's request timeout; progress and completion also arrive through onMessage.
  client
    .request({ type: 'model_pull', ref: m.id })
    .then((reply) => {
      if (reply.type === 'error') showError(reply.message);
    })
    .catch((e: unknown) => {
      if (!(e instanceof ClientError && e.code === 'E_TIMEOUT')) showError(describeError(e).text);
    })
    .finally(() => {
      ui.modelButton.disabled = false;
      show(ui.modelCancel, false);
    });
}

// ---- selection ------------------------------------------------------------------------------

function renderSelection(info: SelectionInfo): void {
  ui.selLabel.textContent = info.label;
  ui.selLabel.dataset.mode = info.mode ?? 'none';
  ui.selReason.textContent = info.reason ?? '';
  show(ui.selReason, Boolean(info.reason));
  storedParams = info.generatedParams ? decodeStoredParams(info.generatedParams) : null;
  show(ui.genActions, storedParams !== null);
  show(ui.imageActions, info.hasImage === true);
  ui.generate.textContent = info.mode ? `Generate (${info.mode})` : 'Generate';
  if (ui.live.checked && info.mode) live.trigger();
}

// ---- jobs -----------------------------------------------------------------------------------

function setRunning(job: RunningJob | null): void {
  running = job;
  show(ui.cancel, job !== null);
  show(ui.job, job !== null || ui.preview.src !== '');
}

function askOnlyMasked(coverage: number): Promise<boolean> {
  ui.askText.textContent = `The mask covers ${Math.round(coverage * 100)}% of the image. Repaint only the masked area at full resolution ("only masked"), or the whole image?`;
  show(ui.ask, true);
  return new Promise((resolve) => {
    const answer = (v: boolean) => {
      show(ui.ask, false);
      onlyMaskedDecided = true;
      f.onlyMasked.checked = v;
      resolve(v);
    };
    ui.askYes.onclick = () => answer(true);
    ui.askNo.onclick = () => answer(false);
  });
}

function setPreview(png: Uint8Array): void {
  if (previewUrl) URL.revokeObjectURL(previewUrl);
  previewUrl = URL.createObjectURL(new Blob([png.slice()], { type: 'image/png' }));
  ui.preview.src = previewUrl;
  show(ui.preview, true);
}

async function insert(item: StripItem, live: boolean): Promise<void> {
  const r = await bridge.insertResult({
    targetId: item.targetId,
    png: item.png,
    width: item.width,
    height: item.height,
    name: item.name,
    params: item.params,
    live,
  });
  if (!r.ok) showError(`Could not place the image: ${r.reason}`);
}

type Override = Partial<ReturnType<typeof readSettings>>;

function start(live: boolean, override?: Override, regenerate?: 'txt2img' | 'source'): RunningJob {
  clearError();
  ui.notices.textContent = '';
  const settings = { ...readSettings(f), loras: networks.selected(), ...override };
  ui.jobStatus.textContent = 'Preparing…';
  ui.jobProgress.value = 0;
  const job = runJob(
    client!,
    bridge,
    { settings, live, onlyMaskedDecided, regenerate },
    {
      onInput: (input) => {
        ui.notices.textContent = input.notices.join('\n');
        ui.jobStatus.textContent = `Sending ${input.mode} ${input.width}×${input.height}…`;
      },
      askOnlyMasked,
      onQueued: (position) => {
        ui.jobStatus.textContent = position > 0 ? `Queued (position ${position})` : 'Starting…';
      },
      onProgress: (step, steps, image, batch) => {
        ui.jobStatus.textContent = `Step ${step}/${steps}${batch > 1 ? ` · image ${image + 1}/${batch}` : ''}`;
        ui.jobProgress.value = (image + step / steps) / batch;
      },
      onPreview: setPreview,
      onResults: (images, targetId, isLive) => {
        ui.jobStatus.textContent = `Done: ${images.length} image${images.length === 1 ? '' : 's'}, seed ${images[0]?.seed ?? '?'}`;
        ui.jobProgress.value = 1;
        if (images[0]) setPreview(images[0].png);
        if (seedLocked && images[0]) f.seed.value = String(images[0].seed);
        images.forEach((img, i) => {
          const item = { ...img, targetId };
          if (!isLive) strip.add(item, i === 0);
          if (i === 0) void insert(item, isLive);
          const stored = isLive ? null : decodeStoredParams(img.params);
          if (stored) void history.add(stored.params, img.png).catch(() => undefined);
        });
        if (isLive) {
          livePreviewShown = true;
          show(ui.liveKeep, true);
        }
      },
    },
  );
  setRunning(job);
  job.done
    .catch((e: unknown) => {
      if (e instanceof CancelledError || (e instanceof ClientError && e.code === 'E_CANCELLED')) {
        ui.jobStatus.textContent = 'Cancelled';
        return;
      }
      ui.jobStatus.textContent = 'Failed';
      const d = describeError(e);
      showError(d.text, d.action);
    })
    .finally(() => {
      if (running === job) setRunning(null);
      show(ui.ask, false);
    });
  return job;
}

function generate(override?: Override, regenerate?: 'txt2img' | 'source'): void {
  if (client?.connectionState !== 'connected') {
    showError('Not connected to the Stipple daemon. Start it with `npx stipple serve` (or `npm start`).');
    return;
  }
  if (running) running.cancel();
  start(false, override, regenerate);
}

const strip = createResultsStrip(ui.results, {
  insert: (item) => void insert(item, false),
  regenerate: (item) => {
    const p = decodeStoredParams(item.params);
    if (p) generate({ seed: p.params.seed, batch: 1 });
  },
});

/** Puts a request's prompt and settings back in the form (stored layer params, history). */
function restoreParams(p: GenerateRequest): void {
  applyParams(f, p);
  networks.setSelected(p.loras ?? []);
  // The boxes changed without an input event: drop the old text's marks until the next check.
  highlights.prompt.set([]);
  highlights.negative.set([]);
  savePrefsSoon();
  refreshPromptTokens();
  refreshNegativeTokens();
  refreshPromptCheck();
}

const networks = createNetworksPicker(
  {
    box: el('networks', HTMLElement),
    loras: el('lora-list', HTMLDivElement),
    embeddings: el('embedding-list', HTMLDivElement),
  },
  {
    insert: (target, text) => {
      const area = target === 'prompt' ? f.prompt : f.negative;
      area.value = appendKeyword(area.value, text);
      area.dispatchEvent(new Event('input', { bubbles: true }));
    },
    changed: () => savePrefsSoon(),
  },
);

const history = createHistoryPanel(el('history-list', HTMLDivElement), {
  restore: (entry) => restoreParams(entry.params),
  save: (text) => bridge.post({ type: 'save-history', history: text }),
});

const proposal = createProposalPanel(
  {
    box: el('proposal', HTMLElement),
    title: el('proposal-title', HTMLElement),
    prompt: el('proposal-prompt', HTMLDivElement),
    negative: el('proposal-negative', HTMLDivElement),
    details: el('proposal-details', HTMLDivElement),
    accept: el('proposal-accept', HTMLButtonElement),
    reject: el('proposal-reject', HTMLButtonElement),
  },
  { prompt: f.prompt, negative: f.negative },
);

const highlights = { prompt: attachHighlighter(f.prompt), negative: attachHighlighter(f.negative) };

function modelFamily(): string | undefined {
  return models.find((m) => m.id === f.model.value)?.family;
}

/** Runs a prompt tool with its button disabled; errors are shown in place. */
async function withButton(button: HTMLButtonElement, run: () => Promise<void>): Promise<void> {
  clearError();
  button.disabled = true;
  try {
    await run();
  } catch (e) {
    if (e instanceof NoInterrogatorError) {
      showError(
        `Reverse prompt needs a CLIP interrogator model, and none is installed. Install one with \`npx stipple models pull clip-vit-b32\` (the daemon said: ${e.message}).`,
      );
    } else {
      const d = describeError(e);
      showError(d.text, d.action);
    }
  } finally {
    button.disabled = false;
  }
}

function connected(): StippleClient {
  if (client?.connectionState !== 'connected') throw new ClientError('E_NOT_CONNECTED', 'not connected');
  return client;
}

async function optimize(): Promise<void> {
  const s = readSettings(f);
  const r = await optimizeWithDaemon(connected(), f.prompt.value, f.negative.value, {
    family: presetFamily(modelFamily()),
    sampler: s.sampler,
    steps: s.steps,
    cfg: s.cfg,
  });
  proposal.propose({
    title: 'Optimize',
    prompt: r.prompt,
    negative: r.negativePrompt,
    details: r.changes.map((c) => `• ${c.label}`),
  });
}

async function rewrite(): Promise<void> {
  const preset = presets.find((p) => p.id === f.preset.value);
  const r = await rewriteWithDaemon(
    connected(),
    f.prompt.value,
    f.negative.value,
    preset ? `style: ${preset.name}` : undefined,
  );
  proposal.propose({ title: 'LLM rewrite', prompt: r.prompt, negative: r.negative, details: r.notes });
}

function presetIntoText(): void {
  const preset = presets.find((p) => p.id === f.preset.value);
  if (!preset) return;
  const r = presetIntoPrompt(preset, f.prompt.value, f.negative.value, presetFamily(modelFamily()) ?? 'sd1');
  proposal.propose({
    title: `Preset "${preset.name}" written into the prompt`,
    prompt: r.prompt,
    negative: r.negative,
    details: ['Accepting sets the preset to None, so it is not applied twice.'],
    onAccept: () => {
      f.preset.value = '';
      show(ui.presetIntoPrompt, false);
      savePrefsSoon();
    },
  });
}

async function reverse(): Promise<void> {
  const image = await bridge.exportImage();
  if (!image.ok) throw new SelectionError(image.reason);
  const r = await reversePrompt(client, image.png);
  proposal.propose({
    title: `Reverse prompt of "${image.name}"`,
    prompt: r.prompt,
    // CLIP proposes no negative prompt: keep the user's.
    negative: r.source === 'clip' ? f.negative.value : r.negative,
    details: r.details,
  });
}

// ---- live mode ------------------------------------------------------------------------------

const live = createLiveScheduler({
  debounceMs: 350,
  start: () => {
    if (client?.connectionState !== 'connected') return { cancel() {}, done: Promise.resolve() };
    return start(true);
  },
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
});

function setLive(on: boolean): void {
  ui.live.checked = on;
  if (on) live.trigger();
  else {
    live.stop();
    if (livePreviewShown) bridge.post({ type: 'discard-live' });
    livePreviewShown = false;
    show(ui.liveKeep, false);
  }
}

// ---- wiring ---------------------------------------------------------------------------------

let prefsTimer: ReturnType<typeof setTimeout> | null = null;
function savePrefsSoon(): void {
  if (prefsTimer) clearTimeout(prefsTimer);
  prefsTimer = setTimeout(() => {
    prefs = { ...toPrefs(f, prefs, seedLocked), loras: networks.chosen() };
    bridge.post({ type: 'save-prefs', prefs: JSON.stringify(prefs) });
  }, 500);
}

function onPromptKey(e: KeyboardEvent): void {
  if (!(e.ctrlKey || e.metaKey) || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) return;
  const area = e.target as HTMLTextAreaElement;
  const edit = nudgeWeight(
    area.value,
    area.selectionStart,
    area.selectionEnd,
    e.key === 'ArrowUp' ? 0.1 : -0.1,
  );
  if (!edit) return;
  e.preventDefault();
  area.value = edit.text;
  area.setSelectionRange(edit.selectionStart, edit.selectionEnd);
  area.dispatchEvent(new Event('input', { bubbles: true }));
}

function copyText(text: string): void {
  const area = document.createElement('textarea');
  area.value = text;
  document.body.append(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  bridge.post({ type: 'notify', message: ok ? 'Parameters copied' : 'Copy failed', error: !ok });
}

let refreshPromptTokens = () => {};
let refreshNegativeTokens = () => {};
let refreshPromptCheck = () => {};

function wire(): void {
  ui.pairButton.addEventListener('click', () => void pair());
  ui.pairCode.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') void pair();
  });
  ui.retry.addEventListener('click', () => connect(token));
  ui.generate.addEventListener('click', () => generate());
  ui.cancel.addEventListener('click', () => running?.cancel());
  ui.seedDice.addEventListener('click', () => {
    f.seed.value = '-1';
    savePrefsSoon();
  });
  ui.seedLock.addEventListener('click', () => {
    seedLocked = !seedLocked;
    ui.seedLock.setAttribute('aria-pressed', String(seedLocked));
    savePrefsSoon();
  });
  ui.live.addEventListener('change', () => setLive(ui.live.checked));
  ui.liveKeep.addEventListener('click', async () => {
    if (!livePreviewShown) return;
    live.stop();
    const r = await bridge.keepLive();
    if (!r.ok) showError(r.reason);
    livePreviewShown = false;
    show(ui.liveKeep, false);
    if (ui.live.checked) live.trigger();
  });
  f.model.addEventListener('change', () => onModelChange(true));
  for (const input of [f.model, f.sampler, f.steps, f.cfg])
    input.addEventListener('change', () => refreshPromptCheck());
  for (const area of [f.prompt, f.negative]) {
    area.addEventListener('keydown', onPromptKey);
    area.addEventListener('input', () => {
      savePrefsSoon();
      if (ui.live.checked) live.trigger();
    });
  }
  for (const input of document.querySelectorAll('input, select'))
    input.addEventListener('change', savePrefsSoon);
  ui.useParams.addEventListener('click', () => storedParams && restoreParams(storedParams.params));
  ui.optimize.addEventListener('click', () => void withButton(ui.optimize, optimize));
  ui.rewrite.addEventListener('click', () => void withButton(ui.rewrite, rewrite));
  ui.presetIntoPrompt.addEventListener('click', presetIntoText);
  ui.reversePrompt.addEventListener('click', () => void withButton(ui.reversePrompt, reverse));
  f.preset.addEventListener('change', () => show(ui.presetIntoPrompt, f.preset.value !== ''));
  // On a generated layer: same parameters, same seed (regenerate) or the next seeds (variations).
  const again = (seedOffset: number, batch?: number) => {
    if (!storedParams) return;
    const p = storedParams.params;
    restoreParams(p);
    generate(
      { seed: p.seed + seedOffset, ...(batch ? { batch } : {}) },
      p.mode === 'txt2img' ? 'txt2img' : 'source',
    );
  };
  ui.regenerate.addEventListener('click', () => again(0, 1));
  ui.variations.addEventListener('click', () => again(1));
  ui.copyParams.addEventListener('click', () => storedParams && copyText(storedParams.infotext));
  bridge.on((m) => {
    if (m.type === 'init') {
      prefs = parsePrefs(m.prefs);
      applyPrefs(f, prefs);
      networks.setSelected(prefs.loras ?? []);
      history.load(m.history);
      seedLocked = prefs.seedLocked ?? false;
      ui.seedLock.setAttribute('aria-pressed', String(seedLocked));
      connect(m.token);
      refreshPromptTokens = attachTokenCounter(
        () => client,
        f.prompt,
        ui.promptTokens,
        () => f.model.value || undefined,
      );
      refreshPromptCheck = attachPromptCheck(
        () => client,
        {
          box: el('prompt-check', HTMLElement),
          list: el('findings', HTMLUListElement),
          fixAll: el('fix-all', HTMLButtonElement),
        },
        {
          prompt: f.prompt,
          negative: f.negative,
          settings: () => {
            const s = readSettings(f);
            const family = presetFamily(models.find((m) => m.id === f.model.value)?.family);
            return { family, sampler: s.sampler, steps: s.steps, cfg: s.cfg };
          },
          applySettings: (s) => {
            if (s.sampler) f.sampler.value = s.sampler;
            if (s.steps !== undefined) f.steps.value = String(s.steps);
            if (s.cfg !== undefined) f.cfg.value = String(s.cfg);
            if (s.width !== undefined) f.width.value = String(s.width);
            if (s.height !== undefined) f.height.value = String(s.height);
            savePrefsSoon();
          },
          onFindings: (findings, analysed) => {
            for (const target of ['prompt', 'negative'] as const) {
              const area = target === 'prompt' ? f.prompt : f.negative;
              if (area.value !== analysed[target]) continue;
              highlights[target].set(
                findings
                  .filter((x) => x.target === target)
                  .map((x) => ({ ...x.span, code: x.code, severity: x.severity, message: x.message })),
              );
            }
          },
          onFocus: (code) => {
            highlights.prompt.focus(code);
            highlights.negative.focus(code);
          },
          proposeFixAll: (fixed) =>
            proposal.propose({
              title: 'Fix all',
              prompt: fixed.prompt,
              negative: fixed.negative,
              details: fixed.labels.map((l) => `• ${l}`),
              onAccept: fixed.accept,
            }),
        },
      );
      refreshNegativeTokens = attachTokenCounter(
        () => client,
        f.negative,
        ui.negativeTokens,
        () => f.model.value || undefined,
      );
    } else if (m.type === 'selection') renderSelection(m.info);
    else if (m.type === 'selection-edited' && ui.live.checked) live.trigger();
  });
  bridge.post({ type: 'ui-ready' });
}

wire();
