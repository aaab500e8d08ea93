// Keeps one CLIP interrogator (sessions + keyword embeddings) loaded in the pipeline process;
// asking for another model folder releases the previous one.
import type { Logger } from '../../logger';
import { createOrtEngine } from '../runtime/ort-engine';
import { ClipInterrogator, findClipFiles } from './clip-interrogator';

export class InterrogatorCache {
  private current: {
    dir: string;
    value: Promise<{ interrogator: ClipInterrogator; release(): Promise<void> }>;
  } | null = null;

  constructor(private readonly logger: Logger) {}

  async get(dir: string): Promise<ClipInterrogator> {
    if (this.current?.dir !== dir) {
      const previous = this.current;
      this.current = {
        dir,
        value: (async () => {
          if (previous) await (await previous.value.catch(() => null))?.release();
          const files = findClipFiles(dir);
          const engine = await createOrtEngine({
            files: { vision: files.vision, text: files.text },
            logger: this.logger,
          });
          return { interrogator: ClipInterrogator.create(engine, dir), release: () => engine.release() };
        })(),
      };
      this.current.value.catch(() => {
        this.current = null;
      });
    }
    return (await this.current.value).interrogator;
  }
}
