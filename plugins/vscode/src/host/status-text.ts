// What the status bar item says in each connection state, and what clicking it does.
import type { ConnectionState } from '../../../../shared/protocol/stipple-client';

export interface StatusView {
  text: string;
  tooltip: string;
  /** Command id run on click. */
  command: string;
  warning: boolean;
}

export interface JobProgress {
  step: number;
  steps: number;
  image: number;
  images: number;
}

export const RECONNECT_COMMAND = 'stipple.reconnect';
export const PAIR_COMMAND = 'stipple.pair';
export const SHOW_LOG_COMMAND = 'stipple.showLog';

export function statusView(state: ConnectionState, job?: JobProgress, url = ''): StatusView {
  if (state === 'connected' && job) {
    const batch = job.images > 1 ? ` (image ${job.image + 1}/${job.images})` : '';
    return {
      text: `$(sync~spin) Stipple: generating ${job.step}/${job.steps}`,
      tooltip: `Generating${batch}. Click for the log.`,
      command: SHOW_LOG_COMMAND,
      warning: false,
    };
  }
  switch (state) {
    case 'connected':
      return {
        text: '$(check) Stipple: connected',
        tooltip: `Connected to the Stipple daemon at ${url}`,
        command: SHOW_LOG_COMMAND,
        warning: false,
      };
    case 'unauthorized':
      return {
        text: '$(lock) Stipple: unauthorized',
        tooltip: 'The daemon refused the token. Click to pair with a code from `stipple pair`.',
        command: PAIR_COMMAND,
        warning: true,
      };
    case 'version_mismatch':
      return {
        text: '$(warning) Stipple: version mismatch',
        tooltip: 'The daemon speaks another protocol version: update the daemon or the extension.',
        command: SHOW_LOG_COMMAND,
        warning: true,
      };
    case 'daemon_unreachable':
    case 'closed':
    case 'idle':
      return {
        text: '$(debug-disconnect) Stipple: daemon not running',
        tooltip: `No Stipple daemon at ${url}. Start it with \`stipple serve\`, then click to reconnect.`,
        command: RECONNECT_COMMAND,
        warning: true,
      };
    case 'connecting':
      return {
        text: '$(sync~spin) Stipple: connecting',
        tooltip: `Connecting to ${url}`,
        command: SHOW_LOG_COMMAND,
        warning: false,
      };
  }
}
