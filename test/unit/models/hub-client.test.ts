import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  hubConfigFromEnv,
  hubHttpError,
  linkedSha256,
  resolveUrl,
} from '../../../companion/models/hub-client.js';
import { ModelError } from '../../../companion/models/model-errors.js';
import { classifyError, TransientError } from '../../../companion/models/retry-policy.js';

const cfg = { endpoint: 'https://hf-mirror.example' };
const ctx = { repo: 'o/n', revision: 'main' };

function res(status: number, headers: Record<string, string> = {}): Response {
  return new Response(null, { status, headers });
}

test('HF_ENDPOINT and HF_TOKEN come from the environment', () => {
  assert.deepEqual(hubConfigFromEnv({}), { endpoint: 'https://huggingface.co' });
  assert.deepEqual(hubConfigFromEnv({ HF_ENDPOINT: 'https://m.example/', HF_TOKEN: ' hf_x ' }), {
    endpoint: 'https://m.example',
    token: 'hf_x',
  });
});

test('resolve URLs quote the revision and each path segment', () => {
  assert.equal(
    resolveUrl(cfg, 'o/n', 'refs/pr/1', 'unet/model file.onnx'),
    'https://hf-mirror.example/o/n/resolve/refs%2Fpr%2F1/unet/model%20file.onnx',
  );
});

test('401 and 403 say to accept the license and set HF_TOKEN', () => {
  for (const status of [401, 403]) {
    const err = hubHttpError(res(status), cfg, ctx);
    assert.ok(err instanceof ModelError);
    assert.equal(err.code, 'E_HUB_UNAUTHORIZED');
    assert.match(err.message, /license at https:\/\/hf-mirror\.example\/o\/n/);
    assert.match(err.message, /HF_TOKEN/);
  }
});

test('404s name the repo, the revision or the file', () => {
  const field = (status: number, h: Record<string, string>, filePath?: string) =>
    (hubHttpError(res(status, h), cfg, { ...ctx, filePath }) as ModelError).field;
  assert.equal(field(404, { 'x-error-code': 'RepoNotFound' }), 'repo');
  assert.equal(field(404, { 'x-error-code': 'RevisionNotFound' }), 'revision');
  assert.equal(field(404, {}), 'revision');
  assert.equal(field(404, {}, 'unet/model.onnx'), 'path');
  assert.equal(field(404, { 'x-error-code': 'EntryNotFound' }, 'unet/model.onnx'), 'path');
});

test('5xx, 429 and 408 are transient', () => {
  for (const status of [500, 502, 503, 429, 408])
    assert.ok(hubHttpError(res(status), cfg, ctx) instanceof TransientError);
  assert.ok(hubHttpError(res(400), cfg, ctx) instanceof ModelError);
});

test('the LFS sha256 is read from X-Linked-Etag, else a 64-hex ETag', () => {
  const sha = 'a'.repeat(64);
  assert.equal(linkedSha256(new Headers({ 'x-linked-etag': `"${sha}"`, etag: '"abc"' })), sha);
  assert.equal(linkedSha256(new Headers({ etag: `W/"${sha}"` })), sha);
  assert.equal(linkedSha256(new Headers({ etag: `"${'b'.repeat(40)}"` })), undefined);
});

test('a network failure names the socket error', () => {
  const err = classifyError(
    Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }),
    undefined,
  );
  assert.ok(err instanceof TransientError);
  assert.equal(err.message, 'fetch failed (ECONNREFUSED)');
  assert.equal(
    classifyError(Object.assign(new Error('x'), { code: 'ENOSPC' }), undefined).message,
    'the disk is full',
  );
  const aborted = AbortSignal.abort();
  assert.equal((classifyError(new Error('AbortError'), aborted) as ModelError).code, 'E_CANCELLED');
});
