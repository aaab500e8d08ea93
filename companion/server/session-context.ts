// What a client session needs from the rest of the daemon, passed in by daemon.ts.

import type { ServerInfo } from '../../shared/protocol/server-messages';
import type { DaemonConfig } from '../config/daemon-config';
import type { JobQueue } from '../jobs/job-queue';
import type { OutputHistory } from '../jobs/output-history';
import type { PipelinePort } from '../jobs/pipeline-port';
import type { Logger } from '../logger';
import type { ModelManager } from '../models/model-manager';
import type { ModelCatalogView } from './model-catalog-view';
import type { PairingCodes } from './pairing-codes';
import type { PromptServices } from './prompt-services';
import type { TokenStore } from './token-store';

export interface SessionContext {
  config: DaemonConfig;
  logger: Logger;
  tokens: TokenStore;
  pairing: PairingCodes;
  queue: JobQueue;
  history: OutputHistory;
  pipeline: PipelinePort;
  models: ModelManager;
  catalog: ModelCatalogView;
  prompts: PromptServices;
  serverInfo(): ServerInfo;
}
