// Opens a one-shot webview panel (candidate picker, mask editor) with the shared HTML shell and
// resolves with its first valid answer. Messages are validated; anything else is logged and dropped.
import type * as vscode from 'vscode';
import { type HostToWebview, parseWebviewToHost, type WebviewToHost } from '../common/panel-messages';
import type { HostContext } from './host-context';
import { createNonce, webviewHtml } from './webview-html';

export interface PanelSpec<T> {
  viewType: string;
  title: string;
  script: string;
  body: string;
  init: HostToWebview;
  /** Returns a value to finish with, or undefined to keep waiting. */
  onMessage(m: WebviewToHost): T | undefined | 'cancel';
}

export function webviewShell(
  ctx: HostContext,
  webview: vscode.Webview,
  script: string,
  title: string,
  body: string,
): string {
  const dist = ctx.vscode.Uri.joinPath(ctx.extensionUri, 'dist', 'webview');
  return webviewHtml({
    cspSource: webview.cspSource,
    nonce: createNonce(ctx.randomBytes),
    scriptUri: webview.asWebviewUri(ctx.vscode.Uri.joinPath(dist, `${script}.js`)).toString(),
    styleUri: webview.asWebviewUri(ctx.vscode.Uri.joinPath(dist, 'webview.css')).toString(),
    title,
    body,
  });
}

export function openAnswerPanel<T>(ctx: HostContext, spec: PanelSpec<T>): Promise<T | undefined> {
  const { vscode: v } = ctx;
  const panel = v.window.createWebviewPanel(spec.viewType, spec.title, v.ViewColumn.Active, {
    enableScripts: true,
    localResourceRoots: [v.Uri.joinPath(ctx.extensionUri, 'dist', 'webview')],
  });
  panel.webview.html = webviewShell(ctx, panel.webview, spec.script, spec.title, spec.body);
  return new Promise((resolve) => {
    let settled = false;
    const finish = (value: T | undefined) => {
      if (settled) return;
      settled = true;
      resolve(value);
      panel.dispose();
    };
    panel.onDidDispose(() => finish(undefined));
    panel.webview.onDidReceiveMessage((raw: unknown) => {
      const parsed = parseWebviewToHost(raw);
      if (!parsed.ok) {
        ctx.log(`${spec.viewType}: dropped invalid message (${parsed.error})`);
        return;
      }
      if (parsed.message.type === 'ready') {
        void panel.webview.postMessage(spec.init);
        return;
      }
      const r = spec.onMessage(parsed.message);
      if (r === 'cancel') finish(undefined);
      else if (r !== undefined) finish(r);
    });
  });
}
