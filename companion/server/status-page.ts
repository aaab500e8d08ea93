// The status page at `/`: address, how to pair, models, queue and recent results, as plain
// server-rendered HTML (no scripts; a meta refresh keeps it current).

import type { z } from 'zod';
import type { ModelEntry, QueueEntry } from '../../shared/protocol/server-messages';
import type { HistoryRecord } from '../jobs/output-history';

function esc(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

export interface StatusView {
  address: string;
  version: string;
  protocolVersion: number;
  executionProviders: string[];
  loadedModel: string | null;
  models: Array<z.infer<typeof ModelEntry>>;
  queue: Array<z.infer<typeof QueueEntry>>;
  recent: HistoryRecord[];
}

export function renderStatusPage(v: StatusView): string {
  const models = v.models
    .map(
      (m) =>
        `<tr><td>${esc(m.name)}</td><td><code>${esc(m.id)}</code></td><td>${esc(m.family)}</td><td>${
          m.installed ? 'installed' : `<code>stipple models pull ${esc(m.id)}</code>`
        }</td></tr>`,
    )
    .join('');
  const queue = v.queue.length
    ? v.queue
        .map((q) => `<li>${esc(q.jobId)} — ${q.state}${q.steps ? ` ${q.step ?? 0}/${q.steps}` : ''}</li>`)
        .join('')
    : '<li>empty</li>';
  const recent = v.recent.length
    ? v.recent
        .map((r) => {
          const img = r.images[0];
          const thumb = img
            ? `<img src="/outputs/${esc(img.file)}" alt="" width="96" height="96" loading="lazy">`
            : '';
          return `<figure>${thumb}<figcaption>${esc(r.status)} · ${esc((r.params?.prompt ?? '').slice(0, 80))}${
            img ? ` · seed ${img.seed}` : ''
          }</figcaption></figure>`;
        })
        .join('')
    : '<p>No results yet.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>Stipple daemon</title>
<style>
body{font:14px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:860px;padding:0 1rem;color:#222}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.6rem}code{background:#f2f2f2;padding:0 .3em;border-radius:3px}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem;text-align:left}
figure{display:inline-block;margin:.3rem;width:140px;font-size:12px;vertical-align:top}img{background:#eee;display:block}
@media (prefers-color-scheme:dark){body{background:#1e1e1e;color:#ddd}code{background:#333}td,th{border-color:#444}}
</style></head><body>
<h1>Stipple daemon <small>v${esc(v.version)}</small></h1>
<p id="address">Listening on <code>${esc(v.address)}</code> · protocol ${v.protocolVersion} · execution providers: ${esc(
    v.executionProviders.join(', ') || 'starting…',
  )} · loaded model: ${esc(v.loadedModel ?? 'none')}</p>
<h2>Pair a plugin</h2>
<p>Run <code>npx stipple pair</code> in a terminal and type the 6-digit code into the Figma plugin or the VS Code extension
(codes last 5 minutes). The VS Code extension on this machine reads the token file by itself.</p>
<h2>Models</h2><table id="models"><tr><th>Name</th><th>Id</th><th>Family</th><th>Status</th></tr>${models}</table>
<h2>Queue</h2><ul id="queue">${queue}</ul>
<h2>Recent results</h2><div id="recent">${recent}</div>
</body></html>`;
}
