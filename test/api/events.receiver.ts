/**
 * A seller's webhook receiver on loopback for the events tests: keeps every request as it came
 * (headers and raw body) and answers with the status the test chooses per request.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  /** `webhook-id` */
  id: string;
  headers: Record<string, string>;
  body: string;
  /** What the receiver answered. */
  status: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** The bodies (parsed) of the requests answered 2xx, first time per webhook-id. */
  accepted(): {
    id: string;
    payload: { type: string; timestamp: string; data: Record<string, unknown> };
  }[];
  /** Verifies every request with the endpoint's secret (throws on a bad signature). */
  verifyAll(secret: string): void;
  close(): Promise<void>;
}

export async function startReceiver(
  answer: (n: number, request: Omit<Received, 'status'>) => number = () => 200,
): Promise<Receiver> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [
          k,
          Array.isArray(v) ? v.join(',') : (v ?? ''),
        ]),
      );
      const request = {
        id: headers['webhook-id'] ?? '',
        headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const status = answer(received.length, request);
      received.push({ ...request, status });
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status < 300 ? 'thanks' : `no thanks (${status})`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return {
    url,
    received,
    accepted() {
      const seen = new Set<string>();
      const out: ReturnType<Receiver['accepted']> = [];
      for (const r of received) {
        if (r.status >= 300 || seen.has(r.id)) continue;
        seen.add(r.id);
        out.push({ id: r.id, payload: JSON.parse(r.body) });
      }
      return out;
    },
    verifyAll(secret) {
      const hook = new Webhook(secret);
      for (const r of received) hook.verify(r.body, r.headers);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
