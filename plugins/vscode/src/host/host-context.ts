// What the command and view modules receive from the composition root (extension.ts): the
// vscode API object, the one daemon connection and the log. No module-level state anywhere.
import type * as vscode from 'vscode';
import type { DaemonConnection } from './daemon-connection';
import type { JobRunnerDeps } from './job-runner';

export interface HostContext {
  vscode: typeof vscode;
  extensionUri: vscode.Uri;
  connection: DaemonConnection;
  jobs: JobRunnerDeps;
  log(line: string): void;
  randomBytes(n: number): Uint8Array;
}

export function bytesToBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

export function pngDataUrl(bytes: Uint8Array): string {
  return `data:image/png;base64,${bytesToBase64(bytes)}`;
}
