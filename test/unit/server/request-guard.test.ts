import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkRequest, isLoopbackAddress } from '../../../companion/server/request-guard';

const opts = { port: 7787 };

test('the daemon accepts its own loopback Host names with its port', () => {
  for (const host of ['127.0.0.1:7787', 'localhost:7787', '[::1]:7787', 'LOCALHOST:7787']) {
    assert.equal(checkRequest({ host }, opts).ok, true, host);
  }
});

test('foreign and look-alike Host headers are refused (DNS rebinding)', () => {
  for (const host of [
    'attacker.example:7787',
    'localhost.evil.com:7787',
    '127.0.0.1.nip.io:7787',
    'localhost',
    '127.0.0.1:80',
    '127.0.0.1:77870',
    undefined,
  ]) {
    assert.equal(checkRequest({ host }, opts).ok, false, String(host));
  }
});

test('Origin may be absent, null, a VS Code webview or the daemon itself; others are refused', () => {
  const host = '127.0.0.1:7787';
  for (const origin of [
    undefined,
    'null',
    'vscode-webview://1abc2def',
    'http://127.0.0.1:7787',
    'http://localhost:7787',
  ]) {
    assert.equal(checkRequest({ host, origin }, opts).ok, true, String(origin));
  }
  for (const origin of [
    'https://evil.example',
    'http://localhost:7787.evil.com',
    'http://localhost:7788',
    'http://127.0.0.1',
    'vscode-webview://x/../evil',
    'file://',
  ]) {
    assert.equal(checkRequest({ host, origin }, opts).ok, false, origin);
  }
});

test('only loopback peers count as local', () => {
  assert.equal(isLoopbackAddress('127.0.0.1'), true);
  assert.equal(isLoopbackAddress('::ffff:127.0.0.1'), true);
  assert.equal(isLoopbackAddress('::1'), true);
  assert.equal(isLoopbackAddress('192.168.1.4'), false);
  assert.equal(isLoopbackAddress(undefined), false);
});
