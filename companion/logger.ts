// The daemon's structured logger (pino). Built once in main.ts and passed down; library code
// takes a Logger parameter and never writes to the console itself.
import { pino } from 'pino';

export type Logger = pino.Logger;

export function createLogger(opts: { level?: string; name?: string } = {}): Logger {
  return pino(
    { name: opts.name ?? 'stipple', level: opts.level ?? process.env.STIPPLE_LOG_LEVEL ?? 'info' },
    pino.destination({ dest: 2, sync: true }),
  );
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
