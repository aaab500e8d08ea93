import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { joinUriPath, relativeReferencePath } from '../../../plugins/vscode/src/host/relative-path';

describe('paths relative to the document', () => {
  it('a document at the workspace root references assets/generated/… directly', () => {
    assert.equal(
      relativeReferencePath('/ws/README.md', '/ws/assets/generated/x.png'),
      'assets/generated/x.png',
    );
  });
  it('a document in a sub-folder goes up with ..', () => {
    assert.equal(
      relativeReferencePath('/ws/docs/guide/a.md', '/ws/assets/generated/x.png'),
      '../../assets/generated/x.png',
    );
  });
  it('a document next to the image references the bare name', () => {
    assert.equal(
      relativeReferencePath('/ws/assets/generated/page.html', '/ws/assets/generated/x.png'),
      'x.png',
    );
  });
  it('folders with a common prefix are not confused', () => {
    assert.equal(relativeReferencePath('/ws/assets-old/a.md', '/ws/assets/x.png'), '../assets/x.png');
  });
  it('joins output folders onto a workspace path without escaping it', () => {
    assert.equal(joinUriPath('/ws', 'assets/generated', 'x.png'), '/ws/assets/generated/x.png');
    assert.equal(joinUriPath('/ws/', './a//b/'), '/ws/a/b');
  });
});
