// FIFO per client, round-robin across clients: a client that submits 50 jobs cannot starve one
// that submits 1. Pure data structure; the runner in job-queue.ts drives it.

export interface QueuedItem {
  jobId: string;
  clientId: string;
}

export class FairQueue<T extends QueuedItem> {
  private readonly perClient = new Map<string, T[]>();
  /** Clients in round-robin order; the head is served next. */
  private order: string[] = [];

  get size(): number {
    let n = 0;
    for (const q of this.perClient.values()) n += q.length;
    return n;
  }

  countFor(clientId: string): number {
    return this.perClient.get(clientId)?.length ?? 0;
  }

  push(item: T): void {
    let q = this.perClient.get(item.clientId);
    if (!q) {
      q = [];
      this.perClient.set(item.clientId, q);
      this.order.push(item.clientId);
    }
    q.push(item);
  }

  /** Next item in fair order, removed from the queue. */
  shift(): T | undefined {
    while (this.order.length > 0) {
      const client = this.order.shift()!;
      const q = this.perClient.get(client);
      if (!q || q.length === 0) {
        this.perClient.delete(client);
        continue;
      }
      const item = q.shift()!;
      if (q.length > 0) this.order.push(client);
      else this.perClient.delete(client);
      return item;
    }
    return undefined;
  }

  remove(jobId: string): T | undefined {
    for (const [client, q] of this.perClient) {
      const i = q.findIndex((x) => x.jobId === jobId);
      if (i >= 0) {
        const [item] = q.splice(i, 1);
        if (q.length === 0) {
          this.perClient.delete(client);
          this.order = this.order.filter((c) => c !== client);
        }
        return item;
      }
    }
    return undefined;
  }

  /** Items in the order they will run. */
  ordered(): T[] {
    const queues = this.order.map((c) => [...(this.perClient.get(c) ?? [])]);
    const out: T[] = [];
    let more = true;
    while (more) {
      more = false;
      for (const q of queues) {
        const x = q.shift();
        if (x) {
          out.push(x);
          more = true;
        }
      }
    }
    return out;
  }
}
