// Runs one generate job with a cancellable progress notification ("step 12/30") and the
// status bar in step; resolves with the images, or undefined when cancelled or failed (the
// user has been told why). Nothing is written here: a cancelled job leaves no file.
import type * as vscode from 'vscode';
import type { GenerateRequestInput } from '../../../../shared/protocol/generate-request';
import { ClientError, type DoneMessage, type JobImage } from '../../../../shared/protocol/stipple-client';
import type { DaemonConnection } from './daemon-connection';

export interface JobRunnerDeps {
  window: Pick<typeof vscode.window, 'withProgress' | 'showErrorMessage' | 'showInformationMessage'>;
  ProgressLocation: typeof vscode.ProgressLocation;
  connection: DaemonConnection;
  log(line: string): void;
  executeCommand(command: string): Thenable<unknown>;
}

export type JobOutcome =
  | { status: 'done'; done: DoneMessage; images: JobImage[] }
  | { status: 'cancelled' }
  | { status: 'failed'; code: string; message: string };

const CONNECT_WAIT_MS = 4000;

/** Tells the user the daemon is not there and how to start it; offers reconnect/log. */
export async function reportDaemonUnavailable(deps: JobRunnerDeps, detail: string): Promise<void> {
  const choice = await deps.window.showErrorMessage(
    `Stipple: the daemon is not running at ${deps.connection.url || 'its address'} (${detail}). Start it with \`stipple serve\` (or \`npx stipple serve\`), then reconnect.`,
    'Reconnect',
    'Show log',
  );
  if (choice === 'Reconnect') await deps.executeCommand('stipple.reconnect');
  else if (choice === 'Show log') await deps.executeCommand('stipple.showLog');
}

export async function runJob(
  deps: JobRunnerDeps,
  title: string,
  request: GenerateRequestInput,
  attachments: Record<string, Uint8Array> = {},
): Promise<JobOutcome> {
  let client: Awaited<ReturnType<DaemonConnection['whenConnected']>>;
  try {
    client = await deps.connection.whenConnected(CONNECT_WAIT_MS);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    await reportDaemonUnavailable(deps, message);
    return { status: 'failed', code: 'E_UNREACHABLE', message };
  }
  const images = request.batch ?? 1;
  const outcome = await deps.window.withProgress(
    { location: deps.ProgressLocation.Notification, title, cancellable: true },
    async (progress, token): Promise<JobOutcome> => {
      let lastFraction = 0;
      const handle = client.generate(request, attachments, {
        onQueued: (jobId, position) => {
          deps.log(`job ${jobId} queued at ${position}`);
          progress.report({ message: position > 0 ? `queued (${position} ahead)` : 'queued' });
        },
        onProgress: (p) => {
          deps.connection.setJobProgress({ ...p, images });
          const fraction = (p.image + p.step / Math.max(1, p.steps)) / images;
          progress.report({
            message: `step ${p.step}/${p.steps}${images > 1 ? ` · image ${p.image + 1}/${images}` : ''}`,
            increment: Math.max(0, (fraction - lastFraction) * 100),
          });
          lastFraction = fraction;
        },
      });
      const sub = token.onCancellationRequested(() => {
        deps.log('cancel requested');
        handle.cancel().catch((e: unknown) => deps.log(`cancel failed: ${String(e)}`));
      });
      try {
        const r = await handle.done;
        deps.log(`job ${r.done.jobId} done: seed ${r.done.seed}, ${r.images.length} image(s)`);
        return { status: 'done', done: r.done, images: r.images };
      } catch (e) {
        if (e instanceof ClientError && e.code === 'E_CANCELLED') return { status: 'cancelled' };
        if (token.isCancellationRequested) return { status: 'cancelled' };
        const code = e instanceof ClientError ? e.code : 'E_INTERNAL';
        const message = e instanceof Error ? e.message : String(e);
        return { status: 'failed', code, message };
      } finally {
        sub.dispose();
        deps.connection.setJobProgress(undefined);
      }
    },
  );
  if (outcome.status === 'cancelled') {
    void deps.window.showInformationMessage('Stipple: generation cancelled; no file was written.');
  } else if (outcome.status === 'failed') {
    deps.log(`job failed: ${outcome.code} ${outcome.message}`);
    void deps.window.showErrorMessage(`Stipple: ${outcome.message} (${outcome.code})`);
  }
  return outcome;
}
