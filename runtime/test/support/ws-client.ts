/**
 * A JSON-RPC client over a real WebSocket for tests that need the socket's own behaviour (the
 * envelope's `meta`, streamed events): calls with raw envelopes, every message kept, bounded waits.
 */
import WebSocket from 'ws';

export type WsMessage = { id?: number | string | null; method?: string; params?: Record<string, unknown>; result?: Record<string, unknown>; error?: { code: number; message: string; data?: unknown } };

export class WsClient {
    readonly messages: WsMessage[] = [];
    /** Every frame as received, for checks on the raw text. */
    readonly frames: string[] = [];
    private nextId = 1;

    private constructor(private readonly ws: WebSocket) {
        ws.on('message', d => {
            const text = d.toString();
            this.frames.push(text);
            const m = JSON.parse(text) as WsMessage | WsMessage[];
            for (const x of Array.isArray(m) ? m : [m]) this.messages.push(x);
        });
    }

    /** Connects to the daemon's `/ws` (http(s) URL of the daemon) with a bearer token. */
    static open(daemonUrl: string, token: string): Promise<WsClient> {
        const ws = new WebSocket(`${daemonUrl.replace(/^http/, 'ws')}/ws`, { headers: { authorization: `Bearer ${token}` } });
        return new Promise((resolve, reject) => {
            ws.once('open', () => resolve(new WsClient(ws)));
            ws.once('error', reject);
            ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
        });
    }

    /** Sends a call (extra envelope members such as `meta` as given) and waits for its response. */
    async call(method: string, params: unknown, extra: Record<string, unknown> = {}): Promise<WsMessage> {
        const id = this.nextId++;
        this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params, ...extra }));
        return this.waitFor(m => m.id === id, `the answer to ${method}`);
    }

    /** Event notifications received so far whose params match. */
    events(pred: (e: Record<string, unknown>) => boolean = () => true): Record<string, unknown>[] {
        return this.messages.filter(m => m.method === 'event' && m.params && pred(m.params)).map(m => m.params!);
    }

    async waitFor(pred: (m: WsMessage) => boolean, what: string, timeoutMs = 30_000): Promise<WsMessage> {
        const until = Date.now() + timeoutMs;
        for (;;) {
            const m = this.messages.find(pred);
            if (m) return m;
            if (Date.now() > until) throw new Error(`no ${what} within ${timeoutMs} ms; got ${JSON.stringify(this.messages.slice(-5)).slice(0, 600)}`);
            await new Promise(r => setTimeout(r, 50));
        }
    }

    close(): void {
        this.ws.close();
    }
}
