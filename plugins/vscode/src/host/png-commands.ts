// Regenerate / Variations / Copy parameters on a PNG that carries A1111 `parameters`.
import type * as vscode from 'vscode';
import { readPngText } from '../../../../shared/png/png-text-chunks';
import { editImage, imageTarget } from './edit-image-command';
import { saveImage } from './generate-command';
import type { HostContext } from './host-context';
import { runJob } from './job-runner';
import { readParametersFromPng, requestFromParameters } from './png-parameters';
import { basenameUriPath, dirnameUriPath } from './relative-path';

async function readParameters(ctx: HostContext, arg: unknown) {
  const uri = imageTarget(ctx, arg);
  if (!uri) {
    void ctx.vscode.window.showErrorMessage('Stipple: select a PNG made by Stipple.');
    return undefined;
  }
  const bytes = await ctx.vscode.workspace.fs.readFile(uri);
  const params = readParametersFromPng(bytes);
  if (!params) {
    void ctx.vscode.window.showErrorMessage(
      `Stipple: ${basenameUriPath(uri.path)} has no generation parameters (no PNG "parameters" chunk).`,
    );
    return undefined;
  }
  return { uri, bytes, params };
}

/** Same prompt, settings and seed: the same image, saved next to the original. */
export async function regenerate(ctx: HostContext, arg: unknown): Promise<vscode.Uri | undefined> {
  const r = await readParameters(ctx, arg);
  if (!r) return undefined;
  const request = requestFromParameters(r.params);
  const outcome = await runJob(ctx.jobs, `Stipple: regenerating ${basenameUriPath(r.uri.path)}`, request);
  if (outcome.status !== 'done' || !outcome.images[0]) return undefined;
  const img = outcome.images[0];
  const stem = basenameUriPath(r.uri.path).replace(/\.[^.]+$/, '');
  const folder = r.uri.with({ path: dirnameUriPath(r.uri.path) });
  const saved = await saveImage(ctx, folder, `${stem}-regen-${img.seed}`, img.png);
  if (saved)
    void ctx.vscode.window.showInformationMessage(
      `Stipple: saved ${ctx.vscode.workspace.asRelativePath(saved)}`,
    );
  return saved;
}

export async function variations(ctx: HostContext, arg: unknown): Promise<vscode.Uri | undefined> {
  return editImage(ctx, arg, 'img2img');
}

export async function copyParameters(ctx: HostContext, arg: unknown): Promise<void> {
  const uri = imageTarget(ctx, arg);
  if (!uri) return;
  const text = readPngText(await ctx.vscode.workspace.fs.readFile(uri), 'parameters');
  if (text === undefined) {
    void ctx.vscode.window.showErrorMessage(
      `Stipple: ${basenameUriPath(uri.path)} has no generation parameters.`,
    );
    return;
  }
  await ctx.vscode.env.clipboard.writeText(text);
  void ctx.vscode.window.showInformationMessage('Stipple: generation parameters copied.');
}
