import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { extraNetworkWeight, parseExtraNetworks } from '../../../shared/prompt/extra-networks';

describe('extra-network tags are extracted as A1111 does', () => {
  test('a lora tag is removed and its name and weight returned', () => {
    const { prompt, networks } = parseExtraNetworks('a cat <lora:pixelArt_v2:0.8>, sharp');
    assert.equal(prompt, 'a cat , sharp');
    assert.equal(networks.length, 1);
    assert.equal(networks[0].type, 'lora');
    assert.equal(networks[0].name, 'pixelArt_v2');
    assert.equal(extraNetworkWeight(networks[0]), 0.8);
    assert.deepEqual(networks[0].span, { start: 6, end: 28 });
  });

  test('lyco and hypernet tags and named parameters are kept in order', () => {
    const { networks } = parseExtraNetworks('<lyco:a:0.5:unet=0.3> x <hypernet:b>');
    assert.deepEqual(
      networks.map((n) => [n.type, n.name]),
      [
        ['lyco', 'a'],
        ['hypernet', 'b'],
      ],
    );
    assert.deepEqual(networks[0].named, { unet: '0.3' });
    assert.equal(extraNetworkWeight(networks[1]), 1);
  });

  test('a non-numeric weight is reported as undefined, not NaN', () => {
    const { networks } = parseExtraNetworks('<lora:a:strong>');
    assert.equal(extraNetworkWeight(networks[0]), undefined);
  });

  test('angle brackets that are not tags stay in the prompt', () => {
    assert.equal(parseExtraNetworks('a <sks> dog, <:x>').prompt, 'a <sks> dog, <:x>');
  });
});
