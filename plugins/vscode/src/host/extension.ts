// Composition root of the extension host: reads settings and environment, builds the one
// daemon connection, the status bar item, the output channel and the side panel, and
// registers the commands. Everything below receives what it needs from here.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import WebSocket from 'ws';
import type { SocketLike } from '../../../../shared/protocol/stipple-client';
import { DaemonConnection } from './daemon-connection';
import { editImage, imageTarget } from './edit-image-command';
import { generateAsset } from './generate-command';
import type { HostContext } from './host-context';
import { RESTORE_COMMAND, restorePreviousVersion } from './image-versions-command';
import type { JobRunnerDeps } from './job-runner';
import { copyParameters, regenerate, variations } from './png-commands';
import { readSettings } from './settings';
import { SIDE_PANEL_VIEW_ID, SidePanelProvider } from './side-panel';

async function readTextFile(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    // A missing token or daemon.json just means the daemon has not run here yet.
    return undefined;
  }
}

function createSocket(url: string): SocketLike {
  // `ws` has the browser WebSocket API the shared client expects; no Origin header is sent.
  return new WebSocket(url, { maxPayload: 64 * 1024 * 1024 }) as unknown as SocketLike;
}

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('Stipple', { log: true });
  const log = (line: string) => output.info(line);
  const status = vscode.window.createStatusBarItem('stipple.status', vscode.StatusBarAlignment.Left, 50);
  status.name = 'Stipple';
  status.show();

  const connection = new DaemonConnection({
    createSocket,
    secrets: context.secrets,
    log,
    onStatus: (view) => {
      status.text = view.text;
      status.tooltip = view.tooltip;
      status.command = view.command;
      status.backgroundColor = view.warning
        ? new vscode.ThemeColor('statusBarItem.warningBackground')
        : undefined;
    },
    readText: readTextFile,
    daemonAddress: () => readSettings(vscode.workspace.getConfiguration('stipple')).daemonAddress,
    env: process.env,
    platform: process.platform,
    homedir: homedir(),
    clientVersion: String(context.extension.packageJSON.version ?? '0.0.0'),
  });

  const jobs: JobRunnerDeps = {
    window: vscode.window,
    ProgressLocation: vscode.ProgressLocation,
    connection,
    log,
    executeCommand: (c) => vscode.commands.executeCommand(c),
  };
  const ctx: HostContext = {
    vscode,
    extensionUri: context.extensionUri,
    connection,
    jobs,
    log,
    randomBytes: (n) => new Uint8Array(randomBytes(n)),
  };
  const panel = new SidePanelProvider(ctx);
  let offMessages: (() => void) | undefined;
  connection.onState((s) => {
    panel.onConnectionChange();
    if (s === 'connected') {
      offMessages?.();
      offMessages = connection.stipple?.onMessage((m) => panel.onServerMessage(m));
    }
  });

  const run = (fn: (arg: unknown) => Promise<unknown>) => async (arg: unknown) => {
    try {
      await fn(arg);
    } catch (e) {
      log(`command failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      void vscode.window.showErrorMessage(`Stipple: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  context.subscriptions.push(
    output,
    status,
    { dispose: () => connection.dispose() },
    vscode.window.registerWebviewViewProvider(SIDE_PANEL_VIEW_ID, panel, {
      webviewOptions: { retainContextWhenHidden: true },
    }),
    vscode.commands.registerCommand(
      'stipple.generateAsset',
      run(async () => {
        if (await generateAsset(ctx)) await panel.refreshGallery();
      }),
    ),
    vscode.commands.registerCommand(
      'stipple.editImage',
      run(async (arg) => {
        if (await editImage(ctx, arg)) await panel.refreshGallery();
      }),
    ),
    vscode.commands.registerCommand(
      'stipple.regenerate',
      run((arg) => regenerate(ctx, arg)),
    ),
    vscode.commands.registerCommand(
      'stipple.variations',
      run((arg) => variations(ctx, arg)),
    ),
    vscode.commands.registerCommand(
      'stipple.copyParameters',
      run((arg) => copyParameters(ctx, arg)),
    ),
    vscode.commands.registerCommand(
      RESTORE_COMMAND,
      run(async (arg) => {
        if (await restorePreviousVersion(ctx, imageTarget(ctx, arg))) await panel.refreshGallery();
      }),
    ),
    vscode.commands.registerCommand(
      'stipple.reconnect',
      run(() => connection.start()),
    ),
    vscode.commands.registerCommand('stipple.showLog', () => output.show(true)),
    vscode.commands.registerCommand(
      'stipple.pair',
      run(async () => {
        const code = await vscode.window.showInputBox({
          title: 'Stipple: pair with the daemon',
          prompt: 'Pairing code printed by `stipple pair` on the machine running the daemon',
          ignoreFocusOut: true,
        });
        if (!code) return;
        await connection.pair(code);
        void vscode.window.showInformationMessage('Stipple: paired with the daemon.');
      }),
    ),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('stipple.daemonAddress')) void connection.start();
    }),
  );
  void connection.start();
}

export function deactivate(): void {
  // Disposables registered in activate() close the connection.
}
