// The extension's settings, read once per use from `stipple.*` and checked: a bad value falls
// back to the default rather than reaching the daemon.
import type * as vscode from 'vscode';
import { Limits } from '../../../../shared/protocol/limits';
import { SAMPLER_IDS, type SamplerIdWire } from '../../../../shared/protocol/samplers';
import { DEFAULT_NAME_PATTERN } from './asset-naming';

export interface StippleSettings {
  daemonAddress: string;
  outputFolder: string;
  defaultPreset: string;
  defaultWidth: number;
  defaultHeight: number;
  fileNamePattern: string;
  referenceStyle: Record<string, unknown>;
  /** Empty: let the preset or model decide. */
  sampler?: SamplerIdWire;
  /** Undefined: let the preset or model decide. */
  steps?: number;
}

export const DEFAULT_OUTPUT_FOLDER = 'assets/generated';

export function parseSize(s: string): { width: number; height: number } | null {
  const m = /^\s*(\d+)\s*[x×]\s*(\d+)\s*$/i.exec(s);
  if (!m) return null;
  const width = Number(m[1]);
  const height = Number(m[2]);
  const ok = (n: number) => n >= 64 && n <= 2048 && n % 8 === 0;
  return ok(width) && ok(height) ? { width, height } : null;
}

export function readSettings(config: Pick<vscode.WorkspaceConfiguration, 'get'>): StippleSettings {
  const str = (key: string, def: string) => {
    const v = config.get<unknown>(key);
    return typeof v === 'string' ? v : def;
  };
  const size = parseSize(str('defaultSize', '512x512')) ?? { width: 512, height: 512 };
  const folder = str('outputFolder', DEFAULT_OUTPUT_FOLDER)
    .replace(/\\/g, '/')
    .replace(/^\/+|\/+$/g, '');
  const refs = config.get<unknown>('referenceStyle');
  const sampler = str('sampler', '');
  const steps = config.get<unknown>('steps');
  return {
    daemonAddress: str('daemonAddress', ''),
    outputFolder: folder.split('/').includes('..') || !folder ? DEFAULT_OUTPUT_FOLDER : folder,
    defaultPreset: str('defaultPreset', ''),
    defaultWidth: size.width,
    defaultHeight: size.height,
    fileNamePattern: str('fileNamePattern', DEFAULT_NAME_PATTERN) || DEFAULT_NAME_PATTERN,
    referenceStyle: refs && typeof refs === 'object' ? (refs as Record<string, unknown>) : {},
    sampler: (SAMPLER_IDS as readonly string[]).includes(sampler) ? (sampler as SamplerIdWire) : undefined,
    steps:
      typeof steps === 'number' &&
      Number.isInteger(steps) &&
      steps >= Limits.minSteps &&
      steps <= Limits.maxSteps
        ? steps
        : undefined,
  };
}
