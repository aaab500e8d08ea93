// The engine factory adapter tests use: in-memory models go to ORT as bytes + external data buffers
// through ort-engine.ts (the only module that imports onnxruntime-node), exactly as in the daemon.
import pino from 'pino';
import type { SourceEngineFactory } from '../../../companion/pipeline/adapters/adapter-runtime.js';
import { createOrtEngine } from '../../../companion/pipeline/runtime/ort-engine.js';

const logger = pino({ level: 'silent' });

export function tempSourceEngineFactory(): { factory: SourceEngineFactory; cleanup(): void } {
  const failedProviders = new Set<string>();
  const factory: SourceEngineFactory = (sources) =>
    createOrtEngine({ files: sources, logger, providers: ['cpu'], failedProviders });
  return { factory, cleanup: () => undefined };
}
