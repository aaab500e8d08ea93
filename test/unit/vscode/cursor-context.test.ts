import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { promptFromContext, selectorToWords } from '../../../plugins/vscode/src/host/cursor-context';

function at(text: string, marker = '|') {
  const offset = text.indexOf(marker);
  return { text: text.replace(marker, ''), offset };
}

describe('prompt from the cursor context', () => {
  it('the selected text wins', () => {
    assert.deepEqual(promptFromContext('whatever', 0, 'markdown', '  a  blue\nbird '), {
      prompt: 'a blue bird',
      source: 'selection',
    });
  });
  it('the alt text of the Markdown image under the cursor, with its range to replace', () => {
    const { text, offset } = at('Intro\n\n![a snowy mountain](|)\n');
    const c = promptFromContext(text, offset, 'markdown');
    assert.equal(c.prompt, 'a snowy mountain');
    assert.equal(c.source, 'alt');
    assert.equal(text.slice(c.replace?.start, c.replace?.end), '![a snowy mountain]()');
  });
  it('the alt text of an HTML <img> under the cursor, attributes on several lines', () => {
    const { text, offset } = at('<p>\n<img\n  src=""\n  ^alt="team photo &amp; logo">\n</p>', '^');
    const c = promptFromContext(text, offset, 'html');
    assert.equal(c.prompt, 'team photo & logo');
    assert.equal(text.slice(c.replace?.start, c.replace?.end).startsWith('<img'), true);
  });
  it('the alt text of a JSX <img alt={"…"} />', () => {
    const { text, offset } = at('return <img src={x} alt={"hero banner"} |/>;');
    assert.equal(promptFromContext(text, offset, 'typescriptreact').prompt, 'hero banner');
  });
  it('the cursor after an image is not inside it', () => {
    const { text, offset } = at('![cat](a.png) and then |');
    assert.deepEqual(promptFromContext(text, offset, 'markdown'), { prompt: '', source: 'none' });
  });
  it('the CSS rule the cursor is in gives the selector words', () => {
    const { text, offset } = at('.nav { color: red }\n.hero-banner > .cta:hover {\n  background: |;\n}');
    assert.deepEqual(promptFromContext(text, offset, 'css'), {
      prompt: 'hero banner cta',
      source: 'selector',
    });
  });
  it('a rule at the very start of the file keeps its first character', () => {
    const { text, offset } = at('.logo { background: | }');
    assert.equal(promptFromContext(text, offset, 'css').prompt, 'logo');
    const c = at('/* x */ #app-icon { background: | }');
    assert.equal(promptFromContext(c.text, c.offset, 'less').prompt, 'app icon');
  });
  it('nested SCSS uses the innermost rule', () => {
    const { text, offset } = at('.card {\n  .avatarImage {\n    background: |\n  }\n}');
    assert.equal(promptFromContext(text, offset, 'scss').prompt, 'avatar image');
  });
  it('outside any rule there is no prompt', () => {
    const { text, offset } = at('.a { color: red }\n|');
    assert.equal(promptFromContext(text, offset, 'css').source, 'none');
  });
  it('selector words drop pseudo-classes, attributes and duplicates', () => {
    assert.equal(selectorToWords('#main-header .logo[data-x="y"]::before, .logo'), 'main header logo');
  });
});
