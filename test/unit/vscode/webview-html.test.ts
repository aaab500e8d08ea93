import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  contentSecurityPolicy,
  createNonce,
  webviewHtml,
} from '../../../plugins/vscode/src/host/webview-html';

const rb = (n: number) => new Uint8Array(randomBytes(n));

describe('webview HTML shell', () => {
  it("the CSP allows scripts only with this load's nonce and forbids network and inline code", () => {
    const csp = contentSecurityPolicy('https://x.vscode-cdn.net', 'N0NCE');
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-N0NCE'(;|$)/);
    assert.match(csp, /connect-src 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
  });
  it('a new nonce for every load, URL-safe and long', () => {
    const a = createNonce(rb);
    const b = createNonce(rb);
    assert.notEqual(a, b);
    assert.match(a, /^[A-Za-z0-9_-]{43}$/);
  });
  it('the one script tag carries the nonce and the values are escaped', () => {
    const html = webviewHtml({
      cspSource: 'vscode-resource:',
      nonce: 'abc',
      scriptUri: 'https://file/"x".js',
      styleUri: 'https://file/s.css',
      title: '<Stipple>',
      body: '<p>hi</p>',
    });
    assert.equal(html.match(/<script/g)?.length, 1);
    assert.match(html, /<script nonce="abc" src="https:\/\/file\/&quot;x&quot;.js"><\/script>/);
    assert.match(html, /<title>&lt;Stipple&gt;<\/title>/);
  });
});
