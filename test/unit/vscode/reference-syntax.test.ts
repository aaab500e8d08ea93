import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatReference, referenceStyleFor } from '../../../plugins/vscode/src/host/reference-syntax';

const t = { path: 'assets/generated/red-fox-42.png', alt: 'a red fox', width: 512, height: 384 };

describe('reference syntax per language', () => {
  it('Markdown gets an image link with the alt text', () => {
    assert.equal(
      formatReference(referenceStyleFor('markdown'), t),
      '![a red fox](assets/generated/red-fox-42.png)',
    );
  });
  it('HTML gets an <img> with src, alt, width and height', () => {
    assert.equal(
      formatReference(referenceStyleFor('html'), t),
      '<img src="assets/generated/red-fox-42.png" alt="a red fox" width="512" height="384">',
    );
  });
  it('CSS, SCSS and Less get url("…")', () => {
    for (const lang of ['css', 'scss', 'less'])
      assert.equal(formatReference(referenceStyleFor(lang), t), 'url("assets/generated/red-fox-42.png")');
  });
  it('JSX and TSX get <img src={…} alt=… />', () => {
    for (const lang of ['javascriptreact', 'typescriptreact'])
      assert.equal(
        formatReference(referenceStyleFor(lang), t),
        '<img src={"assets/generated/red-fox-42.png"} alt="a red fox" width={512} height={384} />',
      );
  });
  it('any other language gets the plain path', () => {
    assert.equal(formatReference(referenceStyleFor('plaintext'), t), 'assets/generated/red-fox-42.png');
    assert.equal(formatReference(referenceStyleFor('python'), t), 'assets/generated/red-fox-42.png');
  });
  it('the referenceStyle setting overrides the language default, and bad values are ignored', () => {
    assert.equal(referenceStyleFor('php', { php: 'markdown' }), 'markdown');
    assert.equal(referenceStyleFor('markdown', { markdown: 'nonsense' }), 'markdown');
  });
  it('escapes what would break each syntax', () => {
    const tricky = { path: 'my assets/a (1).png', alt: 'say "hi" [now] <b>' };
    assert.equal(formatReference('markdown', tricky), '![say "hi" \\[now\\] <b>](<my assets/a (1).png>)');
    assert.equal(
      formatReference('html', tricky),
      '<img src="my assets/a (1).png" alt="say &quot;hi&quot; [now] &lt;b&gt;">',
    );
    assert.equal(formatReference('css', { path: 'a"b.png', alt: '' }), 'url("a\\"b.png")');
  });
});
