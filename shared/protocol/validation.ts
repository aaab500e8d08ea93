// Turns schema failures into the wire error shape {code, message, field}: the message names
// the field, the rule and the value received, e.g. "`width` must be a multiple of 8, got 513".
import type { z } from 'zod';
import type { ErrorCode } from './error-codes';

export interface WireError {
  code: ErrorCode;
  message: string;
  field?: string;
}

function describeValue(v: unknown): string {
  if (typeof v === 'string') return v.length > 40 ? `a string of ${v.length} characters` : JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  return typeof v;
}

export function issueToWireError(issue: z.core.$ZodIssue, prefix: string[] = []): WireError {
  const path = [...prefix, ...issue.path.map(String)];
  const field = path.join('.') || undefined;
  const input = (issue as { input?: unknown }).input;
  let message = issue.message;
  if (!message.includes('`') && field) message = `\`${field}\`: ${message}`;
  if (issue.code !== 'custom' && issue.code !== 'invalid_union' && input !== undefined) {
    message += `, got ${describeValue(input)}`;
  } else if (issue.code === 'invalid_type' && input === undefined) {
    message = field ? `\`${field}\` is required` : message;
  }
  return { code: 'E_BAD_REQUEST', message, field };
}

/** Validates `value`; returns the data or the first issue as a wire error. */
export function validate<S extends z.ZodType>(
  schema: S,
  value: unknown,
  prefix: string[] = [],
): { ok: true; data: z.infer<S> } | { ok: false; error: WireError } {
  const r = schema.safeParse(value, { reportInput: true });
  if (r.success) return { ok: true, data: r.data };
  const issue = r.error.issues[0];
  if (!issue) return { ok: false, error: { code: 'E_BAD_REQUEST', message: 'invalid message' } };
  return { ok: false, error: issueToWireError(issue, prefix) };
}
