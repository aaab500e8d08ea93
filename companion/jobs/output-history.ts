// The output history on disk: outputs/<YYYY-MM-DD>/<jobId>-<n>.png plus <jobId>.json with the
// parameters and status, every file written atomically. A job's record is written as
// `running` when it starts, so after a daemon crash the restart marks it `interrupted` and a
// client that asks learns the job failed. Clients that disconnected fetch results from here.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { GenerateRequest } from '../../shared/protocol/generate-request';
import { writeFileAtomic } from '../config/atomic-write';

export const HistoryRecord = z.object({
  jobId: z.string(),
  createdAt: z.string(),
  finishedAt: z.string().optional(),
  status: z.enum(['running', 'done', 'error', 'cancelled', 'interrupted']),
  client: z.string().optional(),
  params: GenerateRequest.optional(),
  images: z.array(
    z.object({
      index: z.number(),
      seed: z.number(),
      width: z.number(),
      height: z.number(),
      file: z.string(),
    }),
  ),
  executionProvider: z.string().optional(),
  infotext: z.string().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type HistoryRecord = z.infer<typeof HistoryRecord>;

const JOB_ID = /^[A-Za-z0-9_-]{1,64}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export class OutputHistory {
  private readonly records = new Map<string, { day: string; record: HistoryRecord }>();

  constructor(
    private readonly root: string,
    private readonly limit = 1000,
  ) {}

  /** Loads existing records; `running` ones left by a crash become `interrupted`. */
  async load(): Promise<number> {
    if (!existsSync(this.root)) return 0;
    let interrupted = 0;
    for (const day of (await readdir(this.root)).filter((d) => DAY.test(d)).sort()) {
      for (const f of await readdir(path.join(this.root, day))) {
        if (!f.endsWith('.json') || f.startsWith('.')) continue;
        try {
          const rec = HistoryRecord.parse(JSON.parse(await readFile(path.join(this.root, day, f), 'utf8')));
          if (rec.status === 'running') {
            rec.status = 'interrupted';
            rec.error = { code: 'E_INTERRUPTED', message: 'the daemon stopped while this job was running' };
            rec.images = [];
            await this.writeRecord(day, rec);
            interrupted++;
          }
          this.records.set(rec.jobId, { day, record: rec });
        } catch {
          // A foreign or damaged file in outputs/ is skipped, never deleted.
        }
      }
    }
    return interrupted;
  }

  private dayOf(d: Date): string {
    return d.toISOString().slice(0, 10);
  }

  async start(jobId: string, client: string, params: GenerateRequest): Promise<void> {
    const now = new Date();
    const day = this.dayOf(now);
    const record: HistoryRecord = {
      jobId,
      createdAt: now.toISOString(),
      status: 'running',
      client,
      params,
      images: [],
    };
    this.records.set(jobId, { day, record });
    await this.writeRecord(day, record);
  }

  /** Writes the images (atomically), then the record that lists them. */
  async finish(
    jobId: string,
    result: {
      images: Array<{ png: Uint8Array; seed: number; width: number; height: number }>;
      executionProvider: string;
      infotext: string;
      params: GenerateRequest;
    },
  ): Promise<HistoryRecord> {
    const entry = this.mustGet(jobId);
    const dir = path.join(this.root, entry.day);
    const images: HistoryRecord['images'] = [];
    for (const [index, img] of result.images.entries()) {
      const file = `${jobId}-${index}.png`;
      await writeFileAtomic(path.join(dir, file), img.png);
      images.push({
        index,
        seed: img.seed,
        width: img.width,
        height: img.height,
        file: `${entry.day}/${file}`,
      });
    }
    entry.record = {
      ...entry.record,
      status: 'done',
      finishedAt: new Date().toISOString(),
      images,
      params: result.params,
      executionProvider: result.executionProvider,
      infotext: result.infotext,
    };
    await this.writeRecord(entry.day, entry.record);
    await this.prune();
    return entry.record;
  }

  /**
   * Records a failure or cancellation. A job that never started (cancelled while queued) has no
   * record yet: `queued` supplies its owner and parameters so it still reaches history.
   */
  async fail(
    jobId: string,
    status: 'error' | 'cancelled',
    error: { code: string; message: string },
    queued?: { client: string; params: GenerateRequest },
  ): Promise<void> {
    let entry = this.records.get(jobId);
    if (!entry && queued) {
      const now = new Date();
      entry = {
        day: this.dayOf(now),
        record: {
          jobId,
          createdAt: now.toISOString(),
          status,
          client: queued.client,
          params: queued.params,
          images: [],
        },
      };
      this.records.set(jobId, entry);
    }
    if (!entry) return;
    entry.record = { ...entry.record, status, finishedAt: new Date().toISOString(), error };
    await this.writeRecord(entry.day, entry.record);
  }

  get(jobId: string): HistoryRecord | undefined {
    return this.records.get(jobId)?.record;
  }

  list(opts: { client?: string; limit: number }): HistoryRecord[] {
    const all = [...this.records.values()]
      .map((e) => e.record)
      .filter((r) => !opts.client || r.client === opts.client);
    all.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
    return all.slice(0, opts.limit);
  }

  /** Absolute path of a stored image, or null when `rel` is not one of ours (no traversal). */
  resolveImage(rel: string): string | null {
    const m = /^(\d{4}-\d{2}-\d{2})\/([A-Za-z0-9_-]{1,64})-(\d{1,3})\.png$/.exec(rel);
    if (!m) return null;
    const rec = this.records.get(m[2]);
    if (!rec || !rec.record.images.some((i) => i.file === rel)) return null;
    return path.join(this.root, m[1], `${m[2]}-${m[3]}.png`);
  }

  async readImage(rel: string): Promise<Uint8Array | null> {
    const p = this.resolveImage(rel);
    return p ? new Uint8Array(await readFile(p)) : null;
  }

  private mustGet(jobId: string) {
    const e = this.records.get(jobId);
    if (!e) throw new Error(`no history record for job ${jobId}`);
    return e;
  }

  private async writeRecord(day: string, record: HistoryRecord): Promise<void> {
    if (!JOB_ID.test(record.jobId)) throw new Error(`invalid job id ${record.jobId}`);
    const dir = path.join(this.root, day);
    await mkdir(dir, { recursive: true });
    await writeFileAtomic(path.join(dir, `${record.jobId}.json`), `${JSON.stringify(record, null, 2)}\n`);
  }

  /** Keeps the in-memory index bounded; files on disk stay (the user's work). */
  private async prune(): Promise<void> {
    if (this.records.size <= this.limit) return;
    const sorted = [...this.records.entries()].sort((a, b) =>
      a[1].record.createdAt < b[1].record.createdAt ? -1 : 1,
    );
    for (const [id] of sorted.slice(0, this.records.size - this.limit)) this.records.delete(id);
  }
}
