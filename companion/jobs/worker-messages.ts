// IPC between the daemon and its pipeline process (structured clone via `serialization:
// 'advanced'`, so image bytes travel as Uint8Array without base64).
import type { InterrogationResult, PipelineInfo, PipelineJob, PipelineOutput } from './pipeline-port';

export type ToWorker =
  | { type: 'run'; job: PipelineJob }
  | { type: 'cancel'; jobId: string }
  | { type: 'interrogate'; requestId: string; modelDir: string; image: Uint8Array; topK: number }
  | { type: 'shutdown' };

export type FromWorker =
  | { type: 'ready'; info: PipelineInfo }
  | { type: 'info'; info: PipelineInfo }
  | { type: 'step'; jobId: string; image: number; step: number; steps: number }
  | {
      type: 'preview';
      jobId: string;
      image: number;
      step: number;
      steps: number;
      width: number;
      height: number;
      png: Uint8Array;
    }
  | { type: 'done'; jobId: string; output: PipelineOutput }
  | { type: 'failed'; jobId: string; code: string; message: string; field?: string }
  | { type: 'interrogated'; requestId: string; result: InterrogationResult }
  | { type: 'interrogate_failed'; requestId: string; code: string; message: string };
