// What the daemon does with each validated client message. Handlers throw errors carrying a
// stable `code` (and `field`); client-session.ts turns them into `error` messages.

import { applyPreset } from '../../shared/presets/apply-preset';
import { presetFamilyOf } from '../../shared/presets/style-preset';
import { analyzePrompt } from '../../shared/prompt/analysis/analyze-prompt';
import type { ClientMessage } from '../../shared/protocol/client-messages';
import { Limits } from '../../shared/protocol/limits';
import { CloseCode, PROTOCOL_VERSION } from '../../shared/protocol/version';
import { probeImage } from '../images/image-codec';
import { parseInfotext } from '../images/infotext';
import { isPng, readTextChunk } from '../images/png-chunks';
import type { ResolvedRequest } from '../jobs/pipeline-port';
import { rewriteWithLlm } from '../prompt/llm-rewrite-client';
import type { ClientSession } from './client-session';
import { isLoopbackAddress } from './request-guard';

type Msg<T extends ClientMessage['type']> = Extract<ClientMessage, { type: T }>;

function fail(code: string, message: string, field?: string): never {
  throw Object.assign(new Error(message), { code, field });
}

export async function handleMessage(s: ClientSession, m: ClientMessage): Promise<void> {
  switch (m.type) {
    case 'hello':
      return hello(s, m);
    case 'pair':
      return pair(s, m);
    case 'generate':
      return generate(s, m);
    case 'cancel': {
      const ok = s.ctx.queue.cancel(s.clientKey, m.jobId);
      if (!ok) fail('E_JOB_NOT_FOUND', `no queued or running job ${m.jobId} of this client`, 'jobId');
      // `cancelled` for the job itself follows from the queue (at once if queued, at the next step if running).
      s.send({ type: 'ack', replyTo: m.id });
      return;
    }
    case 'queue':
      s.send({ type: 'queue', replyTo: m.id, ...s.ctx.queue.snapshot(s.clientKey) });
      return;
    case 'models':
      s.send({
        type: 'models',
        replyTo: m.id,
        models: await s.ctx.catalog.entries(),
        loaded: s.ctx.pipeline.info().loadedModel,
        defaultModel: await s.ctx.catalog.defaultModelId(),
      });
      return;
    case 'history': {
      const entries = s.ctx.history.list({
        client: m.scope === 'mine' ? s.clientKey : undefined,
        limit: m.limit,
      });
      s.send({
        type: 'history',
        replyTo: m.id,
        entries: entries.map((r) => ({
          jobId: r.jobId,
          createdAt: r.createdAt,
          status: r.status === 'running' ? 'interrupted' : r.status,
          params: r.params,
          images: r.images,
          error: r.error,
          client: r.client,
        })),
      });
      return;
    }
    case 'history_get':
      return historyGet(s, m);
    case 'model_pull':
      return modelPull(s, m);
    case 'model_cancel':
      if (!s.ctx.models.cancel(m.model))
        fail('E_MODEL_NOT_FOUND', `no download of ${m.model} is running`, 'model');
      s.send({ type: 'ack', replyTo: m.id });
      return;
    case 'model_remove':
      await s.ctx.models.remove(m.model);
      s.send({ type: 'model_done', replyTo: m.id, model: m.model, status: 'removed' });
      return;
    case 'presets':
      s.send({ type: 'presets', replyTo: m.id, presets: await s.ctx.prompts.presets() });
      return;
    case 'tokenize': {
      let dir: string | null = null;
      try {
        dir = (await s.ctx.catalog.forJob(m.model)).dir;
      } catch {
        dir = null; // no model: the bundled SD tokenizer is used
      }
      const results = [];
      for (const text of m.texts ?? [m.text ?? '']) {
        const chunks = await s.ctx.prompts.tokenize(text, dir);
        results.push({ chunks, total: chunks.reduce((a, c) => a + c.tokens, 0) });
      }
      const first = results[0] ?? { chunks: [], total: 0 };
      s.send({ type: 'tokens', replyTo: m.id, ...first, ...(m.texts ? { results } : {}) });
      return;
    }
    case 'interrogate':
      return interrogate(s, m);
    case 'prompt_rewrite':
      return promptRewrite(s, m);
    case 'tokens_list': {
      // Only the token-file holder (this machine's user) sees every token; a paired client sees its own.
      const all = s.ctx.tokens.list();
      const mine = s.identity?.primary ? all : all.filter((t) => t.tokenId === s.identity?.tokenId);
      s.send({ type: 'tokens_list', replyTo: m.id, tokens: mine });
      return;
    }
    case 'token_revoke':
      if (!s.identity?.primary && m.tokenId !== s.identity?.tokenId) {
        fail(
          'E_UNAUTHORIZED',
          'a paired client may only revoke its own token; use the token file to manage others',
          'tokenId',
        );
      }
      if (!(await s.ctx.tokens.revoke(m.tokenId))) fail('E_BAD_REQUEST', `no token ${m.tokenId}`, 'tokenId');
      s.send({ type: 'token_revoked', replyTo: m.id, tokenId: m.tokenId });
      return;
  }
}

function hello(s: ClientSession, m: Msg<'hello'>): void {
  if (s.authenticated) fail('E_BAD_REQUEST', 'already authenticated');
  if (m.protocolVersion !== PROTOCOL_VERSION) {
    s.sendError(
      'E_VERSION_MISMATCH',
      `this daemon speaks protocol ${PROTOCOL_VERSION}, the client ${m.protocolVersion}`,
      {
        replyTo: m.id,
      },
    );
    s.close(CloseCode.versionMismatch, `protocol ${PROTOCOL_VERSION} required`);
    return;
  }
  const identity = s.ctx.tokens.verify(m.token);
  if (!identity) {
    s.sendError('E_UNAUTHORIZED', 'wrong or revoked token', { replyTo: m.id });
    s.close(CloseCode.unauthorized, 'unauthorized');
    return;
  }
  s.identity = identity;
  s.clientName = m.client.name;
  s.log.info({ client: m.client.name, tokenId: identity.tokenId }, 'client authenticated');
  s.send({ type: 'welcome', replyTo: m.id, serverInfo: s.ctx.serverInfo(), clientId: s.clientKey });
}

async function pair(s: ClientSession, m: Msg<'pair'>): Promise<void> {
  if (!isLoopbackAddress(s.remoteAddress)) {
    s.sendError('E_PAIRING_REMOTE', 'pairing codes are only accepted from this machine', { replyTo: m.id });
    s.close(CloseCode.unauthorized, 'pairing refused');
    return;
  }
  const r = s.ctx.pairing.redeem(m.code);
  if (!r.ok) {
    const why = {
      no_code: 'no pairing code is active: run `stipple pair` to get one',
      expired: 'the pairing code expired (codes last 5 minutes): run `stipple pair` for a new one',
      wrong: 'wrong pairing code',
      exhausted: 'too many wrong attempts: that code is void, run `stipple pair` for a new one',
    }[r.reason];
    s.sendError('E_PAIRING_CODE', why, { replyTo: m.id, field: 'code' });
    return;
  }
  const issued = await s.ctx.tokens.issue(m.client.name);
  s.log.info({ client: m.client.name, tokenId: issued.tokenId }, 'paired');
  s.send({ type: 'paired', replyTo: m.id, token: issued.token, tokenId: issued.tokenId });
}

async function generate(s: ClientSession, m: Msg<'generate'>): Promise<void> {
  const req = m.request;
  const take = async (ref: string | undefined, field: 'initImage' | 'mask') => {
    if (!ref) return undefined;
    const a = s.attachments.get(ref);
    if (!a)
      fail(
        'E_ATTACHMENT',
        `\`${field}\` names attachment "${ref}", which was not sent on this connection`,
        `request.${field}`,
      );
    await probeImage(a.bytes, `request.${field}`);
    return a;
  };
  const init = await take(req.initImage, 'initImage');
  const mask = await take(req.mask, 'mask');
  if (init && mask) {
    const [a, b] = await Promise.all([
      probeImage(init.bytes, 'request.initImage'),
      probeImage(mask.bytes, 'request.mask'),
    ]);
    if (a.width !== b.width || a.height !== b.height) {
      fail(
        'E_BAD_REQUEST',
        `\`mask\` must be the size of \`initImage\` (${a.width}x${a.height}), got ${b.width}x${b.height}`,
        'request.mask',
      );
    }
  }
  const model = await s.ctx.catalog.forJob(req.model).catch((e: Error & { field?: string }) => {
    // The model store names its own argument (`model`); on the wire the field is the request's.
    if (e.field === 'model') e.field = 'request.model';
    throw e;
  });
  // A named VAE resolves to its store folder here, so an unknown name is refused before queueing.
  const vaeDir = req.vae
    ? await s.ctx.catalog.vaeForJob(req.vae).catch((e: Error & { field?: string }) => {
        if (e.field === 'vae') e.field = 'request.vae';
        throw e;
      })
    : undefined;
  // quality 'fast': the installed TAESD, used when the model folder has no vae_decoder_tiny/ of its own.
  const tinyDecoderDir =
    req.quality === 'fast' ? await s.ctx.catalog.tinyDecoderForJob(model.family) : undefined;
  // A preset is baked into the prompt (as A1111 styles are), so `done.params` replays exactly;
  // its recommended settings fill what the request left unset.
  let prompt = req.prompt;
  let negativePrompt = req.negativePrompt;
  let defaults = model.defaults;
  if (req.preset) {
    const preset = (await s.ctx.prompts.userAndBuiltinPresets()).find((p) => p.id === req.preset);
    if (!preset) fail('E_PRESET_NOT_FOUND', `no preset has the id "${req.preset}"`, 'request.preset');
    const applied = applyPreset(preset, req.prompt, req.negativePrompt, presetFamilyOf(model.family));
    prompt = applied.prompt;
    negativePrompt = applied.negativePrompt;
    defaults = { ...defaults, ...applied.settings };
  }
  const filled: ResolvedRequest = {
    ...req,
    preset: undefined,
    prompt,
    negativePrompt,
    model: model.id,
    sampler: req.sampler ?? (defaults.sampler as ResolvedRequest['sampler']),
    // Image modes run floor(steps × strength) steps: a default must leave at least one (Turbo: 1 step).
    steps:
      req.steps ??
      (req.mode !== 'txt2img' && req.strength > 0
        ? Math.min(Limits.maxSteps, Math.max(defaults.steps, Math.ceil(1 / req.strength)))
        : defaults.steps),
    cfg: req.cfg ?? defaults.cfg,
    width: req.width ?? defaults.width,
    height: req.height ?? defaults.height,
  };
  // diffusers' img2img runs floor(steps × strength) steps: zero would fail only in the pipeline,
  // after queueing, so it is refused here with the field named.
  if (filled.mode !== 'txt2img' && Math.floor(filled.steps * filled.strength) < 1) {
    fail(
      'E_BAD_REQUEST',
      `\`strength\` ${filled.strength} with \`steps\` ${filled.steps} leaves no denoising step (${filled.mode} needs steps × strength ≥ 1)`,
      'request.strength',
    );
  }
  const r = s.ctx.queue.submit(s.clientKey, {
    request: filled,
    modelDir: model.dir,
    modelName: model.name,
    ...(vaeDir ? { vaeDir } : {}),
    ...(tinyDecoderDir ? { tinyDecoderDir } : {}),
    initImage: init?.bytes,
    mask: mask?.bytes,
  });
  if (!r.ok) {
    s.sendError(r.code, r.message, { replyTo: m.id, retryAfterMs: r.retryAfterMs });
    return;
  }
  if (req.initImage) s.attachments.delete(req.initImage);
  if (req.mask) s.attachments.delete(req.mask);
  s.send({ type: 'queued', replyTo: m.id, jobId: r.jobId, position: r.position });
}

async function interrogate(s: ClientSession, m: Msg<'interrogate'>): Promise<void> {
  const a = s.attachments.get(m.image);
  if (!a)
    fail(
      'E_ATTACHMENT',
      `\`image\` names attachment "${m.image}", which was not sent on this connection`,
      'image',
    );
  s.attachments.delete(m.image);
  await probeImage(a.bytes, 'image');
  const parameters = isPng(a.bytes) ? readTextChunk(a.bytes, 'parameters') : undefined;
  if (parameters) {
    const p = parseInfotext(parameters);
    s.send({
      type: 'interrogation',
      replyTo: m.id,
      source: 'metadata',
      prompt: p.prompt,
      negativePrompt: p.negativePrompt,
      params: p.fields,
      keywords: [],
    });
    return;
  }
  const installed = (await s.ctx.models.list()).filter((x) => x.kind === 'interrogator');
  const chosen = m.model ? installed.find((x) => x.id === m.model) : installed[0];
  if (!chosen) {
    fail(
      'E_MODEL_NOT_FOUND',
      m.model
        ? `no interrogator model "${m.model}" is installed`
        : 'reverse prompt needs a CLIP model: run `stipple models pull clip-vit-b32`',
      'model',
    );
  }
  const { dir } = await s.ctx.models.resolve(chosen.id);
  const r = await s.ctx.pipeline.interrogate(dir, a.bytes, m.topK);
  s.send({
    type: 'interrogation',
    replyTo: m.id,
    source: 'clip',
    prompt: r.prompt,
    negativePrompt: '',
    params: {},
    keywords: r.keywords,
  });
}

async function promptRewrite(s: ClientSession, m: Msg<'prompt_rewrite'>): Promise<void> {
  const llm = s.ctx.config.llm;
  if (!llm) {
    fail(
      'E_LLM_NOT_CONFIGURED',
      'no LLM endpoint is configured: set "llm": {"url", "model"} in the daemon\'s config.json',
    );
  }
  let dir: string | null = null;
  try {
    dir = (await s.ctx.catalog.forJob(m.model)).dir;
  } catch {
    dir = null;
  }
  const counter = await s.ctx.prompts.tokenCounter(dir);
  const findings = analyzePrompt(m.prompt, counter, { negativePrompt: m.negativePrompt }).findings;
  const out = await rewriteWithLlm(
    llm,
    { prompt: m.prompt, negativePrompt: m.negativePrompt, findings, context: m.context },
    counter,
  );
  s.send({
    type: 'prompt_rewritten',
    replyTo: m.id,
    prompt: out.prompt,
    negativePrompt: out.negativePrompt,
    findings: out.analysis.findings.map((f) => ({ ...f })),
  });
}

async function historyGet(s: ClientSession, m: Msg<'history_get'>): Promise<void> {
  const rec = s.ctx.history.get(m.jobId);
  if (!rec || (rec.client !== s.clientKey && !s.identity?.primary))
    fail('E_JOB_NOT_FOUND', `no finished job ${m.jobId}`, 'jobId');
  if (rec.status !== 'done') {
    s.sendError(
      (rec.error?.code ?? 'E_INTERRUPTED') as 'E_INTERRUPTED',
      rec.error?.message ?? `job ${m.jobId} did not finish`,
      {
        replyTo: m.id,
        jobId: m.jobId,
      },
    );
    return;
  }
  for (const img of rec.images) {
    const png = await s.ctx.history.readImage(img.file);
    if (png)
      s.deliver({
        type: 'result',
        jobId: rec.jobId,
        index: img.index,
        seed: img.seed,
        width: img.width,
        height: img.height,
        png,
      });
  }
  s.send({
    type: 'done',
    jobId: rec.jobId,
    seed: rec.images[0]?.seed ?? rec.params?.seed ?? -1,
    params: rec.params!,
    images: rec.images,
    executionProvider: rec.executionProvider ?? 'unknown',
    infotext: rec.infotext ?? '',
    notes: ['from history'],
  });
}

async function modelPull(s: ClientSession, m: Msg<'model_pull'>): Promise<void> {
  const manifest = await s.ctx.models.pull(m.ref, {
    onProgress: (p) =>
      s.send({
        type: 'model_progress',
        model: m.ref,
        phase: p.phase,
        file: p.file,
        bytesDone: p.bytesDone,
        bytesTotal: p.bytesTotal,
        rateBytesPerSec: p.rateBytesPerSec,
        etaSec: p.etaSec ?? null,
      }),
  });
  s.send({ type: 'model_done', replyTo: m.id, model: manifest.id, status: 'installed' });
}
