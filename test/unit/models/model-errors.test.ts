import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MODEL_ERROR_CODES, ModelError } from '../../../companion/models/model-errors.js';
import { ErrorCodes } from '../../../shared/protocol/error-codes.js';

test('every model error code is documented and registered in the protocol registry', () => {
  const notInRegistry = Object.keys(MODEL_ERROR_CODES).filter((c) => !Object.hasOwn(ErrorCodes, c));
  assert.deepEqual(notInRegistry, []);
  for (const [code, doc] of Object.entries(MODEL_ERROR_CODES)) assert.ok(doc.length > 10, code);
});

test('a model error serialises as {code, message, field?}', () => {
  assert.deepEqual(JSON.parse(JSON.stringify(new ModelError('E_DISK_FULL', 'full', { field: 'disk' }))), {
    code: 'E_DISK_FULL',
    message: 'full',
    field: 'disk',
  });
  assert.deepEqual(new ModelError('E_CANCELLED', 'stop').toJSON(), { code: 'E_CANCELLED', message: 'stop' });
});
