/**
 * Slow request bodies against the real daemon: a JSON-RPC body that stalls is cut off (408, the
 * connection closed) so it cannot hold the daemon's sockets, while an upload may take longer than
 * the request deadline as long as bytes keep arriving, and is cut off only when it goes idle.
 * Limits are shortened for the test (requestTimeoutMs 1.5 s, uploadIdleMs 1.5 s).
 */
import { request } from 'node:http';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSecureDaemon, type SecureDaemon } from './support.js';

let sec: SecureDaemon;

beforeAll(async () => {
    sec = await startSecureDaemon({ limits: { ratePerSecond: 100_000, rateBurst: 100_000, failedAuthPerMinute: 100_000, requestTimeoutMs: 1500, uploadIdleMs: 1500 } });
}, 60_000);
afterAll(async () => { await sec?.stop(); });

interface Outcome { status?: number; body: string; closed: boolean }

/**
 * Sends headers and then `chunks` with `gapMs` between them; with `stall`, stops before the end
 * and waits for the server. Resolves with the answer (if any) once the connection is over.
 */
function trickle(path: string, method: string, chunks: readonly string[], gapMs: number, stall: boolean): Promise<Outcome> {
    const u = new URL(path, sec.daemon.url);
    const total = chunks.reduce((n, c) => n + Buffer.byteLength(c), 0) + (stall ? 100 : 0);
    return new Promise((resolve, reject) => {
        const out: Outcome = { body: '', closed: false };
        const guard = setTimeout(() => reject(new Error('the daemon neither answered nor closed the connection')), 30_000);
        const req = request({
            host: u.hostname, port: u.port, path: u.pathname, method,
            headers: { authorization: `Bearer ${sec.tokens.alpha.researcher}`, 'content-type': 'application/octet-stream', 'content-length': String(total) },
        }, res => {
            out.status = res.statusCode;
            res.setEncoding('utf8');
            res.on('data', (d: string) => { out.body += d; });
            res.on('end', () => { clearTimeout(guard); resolve(out); });
        });
        req.on('error', () => { out.closed = true; clearTimeout(guard); resolve(out); });
        req.on('close', () => { out.closed = true; if (out.status === undefined) { clearTimeout(guard); resolve(out); } });
        let i = 0;
        const next = (): void => {
            if (i < chunks.length) {
                req.write(chunks[i++]);
                setTimeout(next, gapMs);
            } else if (!stall) {
                req.end();
            }
        };
        next();
    });
}

describe('slow bodies', () => {
    it('a JSON-RPC body that stalls is cut off with 408 and the connection closed', async () => {
        const r = await trickle('/rpc', 'POST', ['{"jsonrpc":"2.0","id":1,'], 100, true);
        expect(r.status === 408 || r.closed).toBe(true);
        if (r.status !== undefined) expect(r.status).toBe(408);
        // The daemon serves others meanwhile and after.
        expect((await sec.client(sec.tokens.beta.viewer).call('daemon.info')).name).toBe('alphaforge');
    });

    it('an upload that keeps sending may take longer than the request deadline', async () => {
        const rows = ['ts,open,high,low,close,volume\n', ...Array.from({ length: 8 }, (_, i) => `2024-01-0${i + 1},1,2,0.5,1.5,10\n`)];
        // 9 chunks 400 ms apart: about 3.6 s, more than twice the 1.5 s request deadline, never idle for 1.5 s.
        const r = await trickle('/uploads/slow.csv', 'PUT', rows, 400, false);
        expect(r.status, r.body).toBe(201);
        const up = JSON.parse(r.body) as { id: string; bytes: number };
        expect(up.bytes).toBe(rows.join('').length);
        const imported = await sec.client(sec.tokens.alpha.researcher).call('data.import', { upload: up.id, venue: 'slow', symbol: 'S', timeframe: '1d' });
        expect(imported.rowsWritten).toBe(8);
    });

    it('an upload that goes idle is cut off and leaves no file behind', async () => {
        const r = await trickle('/uploads/idle.csv', 'PUT', ['ts,open,high,low,close,volume\n'], 100, true);
        expect(r.status === 408 || r.closed).toBe(true);
        const imports = join(sec.stateDir, 'imports');
        const files = (dir: string): string[] => existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).flatMap(e => e.isDirectory() ? files(join(dir, e.name)) : [e.name]) : [];
        // Partial files are removed once the request is gone (give the server a moment to notice).
        for (let i = 0; i < 50 && files(imports).some(f => f.includes('idle')); i++) await new Promise(res => setTimeout(res, 100));
        expect(files(imports).filter(f => f.includes('idle'))).toEqual([]);
    });
});
