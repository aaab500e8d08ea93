// A lock file per model id so two processes (the daemon and a CLI, say) never write the
// same `.incomplete` files at once. The lock holds the owner's pid; a lock whose process is
// gone (killed, crashed) is stale and taken over, which is what makes resume-after-SIGKILL work.
import { open, readFile, unlink } from 'node:fs/promises';
import { ModelError } from './model-errors.js';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface StagingLock {
  release(): Promise<void>;
}

export async function acquireStagingLock(lockPath: string, id: string): Promise<StagingLock> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(lockPath, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      return {
        release: () =>
          unlink(lockPath).catch((err: NodeJS.ErrnoException) => {
            if (err.code !== 'ENOENT') throw err;
          }),
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && processAlive(owner)) {
      throw new ModelError('E_MODEL_BUSY', `"${id}" is being downloaded by another process (pid ${owner})`, {
        field: 'id',
      });
    }
    // Stale (owner gone, or an unreadable half-written lock): take it over.
    await unlink(lockPath).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
  }
  throw new ModelError('E_MODEL_BUSY', `could not lock "${id}" for download`, { field: 'id' });
}
