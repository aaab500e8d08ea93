// A local server speaking the OpenAI chat-completions protocol, for the LLM rewrite tests.
// Each request is answered by the current `behaviour`.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type LlmBehaviour =
  | { kind: 'answer'; content: string }
  | { kind: 'status'; status: number; body: string }
  | { kind: 'hang' }
  | { kind: 'raw'; body: string };

export interface FakeLlm {
  url: string;
  requests: Array<{
    headers: http.IncomingHttpHeaders;
    body: { model: string; messages: Array<{ role: string; content: string }> };
  }>;
  behaviour: LlmBehaviour;
  close(): Promise<void>;
}

export async function startFakeLlm(): Promise<FakeLlm> {
  const sockets = new Set<import('node:net').Socket>();
  const fake = {
    url: '',
    requests: [] as FakeLlm['requests'],
    behaviour: { kind: 'answer', content: '{"prompt": "a cat"}' } as LlmBehaviour,
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      if (req.url !== '/v1/chat/completions' || req.method !== 'POST') {
        res.writeHead(404).end('{"error": "not found"}');
        return;
      }
      fake.requests.push({ headers: req.headers, body: JSON.parse(body) });
      const b = fake.behaviour;
      if (b.kind === 'hang') return;
      if (b.kind === 'status') {
        res.writeHead(b.status, { 'content-type': 'application/json' }).end(b.body);
        return;
      }
      if (b.kind === 'raw') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(b.body);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: 'x',
          object: 'chat.completion',
          choices: [{ index: 0, message: { role: 'assistant', content: b.content } }],
        }),
      );
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  fake.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return fake;
}
