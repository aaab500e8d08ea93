// The daemon's execution provider comes from config.json: `executionProviders: ["webgpu"]` runs the real
// pipeline process on WebGPU and says so in the job result and in /health; the default ('auto') never picks
// WebGPU on a software Vulkan adapter (lavapipe) and runs on CPU there. Skips loudly without a Vulkan adapter
// unless STIPPLE_REQUIRE_WEBGPU=1 (CI), where that is a failure.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { availableProviders } from '../../../companion/pipeline/runtime/ort-engine.js';
import { linuxVulkanAdapter } from '../../../companion/pipeline/runtime/providers.js';
import { startDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { skipNoFixtures } from '../../helpers/fixtures.js';
import { connectClient } from '../../helpers/ws-client.js';

const required = process.env.STIPPLE_REQUIRE_WEBGPU === '1';
const daemons: TestDaemon[] = [];
after(async () => {
  for (const d of daemons) await d.dispose();
});

interface Health {
  executionProviders: string[];
  executionProvider: string | null;
  loadedModel: string | null;
}

async function generateOn(config: Record<string, unknown>): Promise<{ ep: string; health: Health }> {
  const d = await startDaemon({ models: { 'sd15-tiny': 'sd15-tiny' }, config });
  daemons.push(d);
  const c = await connectClient(d.wsUrl, d.token);
  try {
    const { done } = await c.generate({ prompt: 'a lighthouse', width: 64, height: 64, steps: 2, seed: 9 })
      .done;
    const health = (await (await fetch(`${d.url}/health`)).json()) as Health;
    return { ep: done.executionProvider, health };
  } finally {
    c.close();
  }
}

describe('daemon execution provider from config', { skip: skipNoFixtures, timeout: 600_000 }, () => {
  it('executionProviders ["webgpu"] runs on WebGPU and reports it', async (t) => {
    if (!availableProviders().includes('webgpu')) {
      const why = `no loadable WebGPU provider here (available: ${availableProviders().join(', ')})`;
      if (required) assert.fail(`STIPPLE_REQUIRE_WEBGPU=1 but ${why}`);
      console.warn(`\n*** WEBGPU NOT TESTED: ${why} ***\n`);
      t.skip(`WEBGPU NOT TESTED: ${why}`);
      return;
    }
    const { ep, health } = await generateOn({ executionProviders: ['webgpu'] });
    assert.equal(ep, 'webgpu', 'the job result names the provider');
    assert.equal(health.executionProvider, 'webgpu', '/health names it too');
    assert.ok(health.executionProviders.includes('webgpu'));
    assert.ok(!health.executionProviders.includes('cuda'), 'CUDA is not listed without its libraries');
  });

  it('the default (auto) does not pick WebGPU on a software Vulkan adapter', async (t) => {
    if (
      process.platform !== 'linux' ||
      linuxVulkanAdapter({ platform: 'linux', env: process.env }) !== 'software'
    ) {
      t.skip('only meaningful where the only Vulkan adapter is a software one (lavapipe)');
      return;
    }
    const { ep, health } = await generateOn({});
    assert.equal(ep, 'cpu');
    assert.equal(health.executionProvider, 'cpu');
  });
});
