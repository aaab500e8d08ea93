// An engine factory for adapter tests: each in-memory model is written to a temporary folder and loaded
// through ort-engine.ts (the only module that imports onnxruntime-node).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type {
  SessionSource,
  SourceEngineFactory,
} from '../../../companion/pipeline/adapters/adapter-runtime.js';
import { createOrtEngine } from '../../../companion/pipeline/runtime/ort-engine.js';

const logger = pino({ level: 'silent' });

export function tempSourceEngineFactory(): { factory: SourceEngineFactory; cleanup(): void } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'stipple-lora-'));
  let n = 0;
  const factory: SourceEngineFactory = async (sources: Record<string, SessionSource>) => {
    const files: Record<string, string> = {};
    for (const [component, src] of Object.entries(sources)) {
      if (typeof src === 'string') {
        files[component] = src;
        continue;
      }
      const dir = path.join(root, `${component}-${n++}`);
      mkdirSync(dir, { recursive: true });
      for (const e of src.externalData) writeFileSync(path.join(dir, e.path), e.data);
      writeFileSync(path.join(dir, 'model.onnx'), src.modelBytes);
      files[component] = path.join(dir, 'model.onnx');
    }
    return createOrtEngine({ files, logger, providers: ['cpu'] });
  };
  return { factory, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
