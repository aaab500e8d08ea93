import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import {
  assertModelId,
  isSafeRelativePath,
  modelIdForRepo,
  parseRepoRef,
  resolveInside,
} from '../../../companion/models/model-ref.js';

test('model ids are single safe path segments', () => {
  for (const ok of ['sd-turbo', 'sdxl_base.v1', 'owner--name', 'A1']) assert.equal(assertModelId(ok), ok);
  for (const bad of [
    '',
    '..',
    '../x',
    'a/b',
    'a\\b',
    'C:',
    'c:x',
    '\\\\srv\\share',
    '//srv/share',
    '.x',
    '-x',
    'a b',
  ]) {
    assert.throws(() => assertModelId(bad), { code: 'E_BAD_REQUEST', field: 'id' }, bad);
  }
});

test('repo references parse as owner/name with an optional revision', () => {
  assert.deepEqual(parseRepoRef('stabilityai/sd-turbo'), { repo: 'stabilityai/sd-turbo', revision: 'main' });
  assert.deepEqual(parseRepoRef('a/b@refs/pr/3'), { repo: 'a/b', revision: 'refs/pr/3' });
  assert.deepEqual(parseRepoRef(`a/b@${'f'.repeat(40)}`), { repo: 'a/b', revision: 'f'.repeat(40) });
  for (const bad of ['a', 'a/b/c', '/b', 'a/', 'a/b@', 'a/b@x/../y', 'a/b@..', 'a/.. ', '../b', 'a/b c']) {
    assert.throws(() => parseRepoRef(bad), { code: 'E_BAD_REQUEST' }, bad);
  }
});

test('a repo becomes the store id owner--name', () => {
  assert.equal(modelIdForRepo('stabilityai/sdxl-turbo'), 'stabilityai--sdxl-turbo');
});

test('listing paths that leave the folder are unsafe', () => {
  for (const ok of ['model_index.json', 'unet/model.onnx', 'a/b/c.txt', 'x..y/z'])
    assert.ok(isSafeRelativePath(ok), ok);
  for (const bad of ['', '../x', 'a/../../x', '/etc/passwd', 'C:/x', 'a\\b', 'a//b', './a', 'a/.', 'a\0b']) {
    assert.equal(isSafeRelativePath(bad), false, bad);
  }
});

test('resolveInside joins under the root and refuses escapes', () => {
  const root = path.resolve('/tmp/models/x');
  assert.equal(resolveInside(root, 'unet/model.onnx'), path.join(root, 'unet', 'model.onnx'));
  assert.throws(() => resolveInside(root, '../y'), { code: 'E_HUB_BAD_LISTING', field: 'path' });
});
