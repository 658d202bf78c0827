/**
 * File transfers over the gateway's HTTP port, for what JSON-RPC should not carry: the bytes of a
 * file to import and the file an export wrote.
 *
 *   PUT /uploads/<name>   body: the file's bytes → 201 {id, name, bytes, sha256}; then data.import {upload: id}
 *   GET /exports/<name>   → the file from the caller's team export folder
 *
 * Both are authenticated and authorised like a call (bearer token through the AuthGate, per-token
 * rate limit; uploads need data.import's role and scope, downloads data.export's or
 * experiments.export's), audited as `data.upload` / `data.download`, and scoped to the caller's
 * team by the store behind them. An
 * upload is streamed to disk as it arrives, never buffered whole, and refused with 413 past the
 * size limit (at once when Content-Length says so). Errors are JSON-RPC error objects with the
 * HTTP status of their code, so clients read them as they read a call's.
 */
import { createReadStream } from 'node:fs';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import {
    ErrorCodes, EXPORTS_PATH, RpcError, UPLOADS_PATH, type UploadResult,
} from '../../../protocol/src/daemon/index.js';
import { type AuthGate } from './auth-gate.js';
import { auditActor, errorResponse, type Dispatcher } from './dispatcher.js';
import { userErrorOf } from './errors.js';
import { type RateLimiter } from './rate-limit.js';
import { type GatewayLogger, type Origin, type Principal } from './types.js';

/** A refused upload whose declared body is at most this is read to its end and discarded, its connection kept: the client reads the refusal. */
const DRAIN_REFUSED_BYTES = 16 * 1024 * 1024;

/** Where transferred files live: the daemon's per-team folders (runtime/src/daemon/team-files.ts). */
export interface TransferStore {
    /** Stores an upload of the principal's team; rejects with a status-400 (name), 413 (limit) error. */
    upload(principal: Principal, name: string, body: IncomingMessage, limitBytes: number): Promise<UploadResult>;
    /** A file of the principal's team export folder; rejects with a status-400 (name) or 404 error. */
    download(principal: Principal, name: string): { path: string; bytes: number };
}

export interface TransferOptions {
    readonly store: TransferStore;
    /** Largest upload in bytes. */
    readonly maxUploadBytes: number;
}

export interface TransferContext {
    readonly dispatcher: Dispatcher;
    readonly limiter: RateLimiter;
    readonly gate: AuthGate;
    readonly logger: GatewayLogger;
    /** `Authorization: Bearer <token>` → the token. */
    readonly bearerOf: (header: string | undefined) => string | undefined;
}

const STATUS: Readonly<Record<number, number>> = {
    [ErrorCodes.Unauthenticated]: 401, [ErrorCodes.Forbidden]: 403, [ErrorCodes.NotFound]: 404,
    [ErrorCodes.PayloadTooLarge]: 413, [ErrorCodes.RateLimited]: 429, [ErrorCodes.InvalidParams]: 400,
};

const MEDIA: Readonly<Record<string, string>> = {
    parquet: 'application/vnd.apache.parquet', pq: 'application/vnd.apache.parquet', csv: 'text/csv',
    arrow: 'application/vnd.apache.arrow.file', feather: 'application/vnd.apache.arrow.file', ipc: 'application/vnd.apache.arrow.file',
};

function sendError(res: ServerResponse, e: RpcError, headers: Record<string, string> = {}): void {
    if (res.headersSent) {
        res.destroy();
        return;
    }
    const text = JSON.stringify(errorResponse(null, e.code, e.message, e.data));
    res.writeHead(STATUS[e.code] ?? 500, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
    res.end(text);
}

/**
 * The transfer routes: `handle(req, res, path)` serves the request and answers true when `path`
 * is one of them, false otherwise (the gateway then answers 404).
 */
export function transferRoutes(o: TransferOptions, gw: TransferContext): (req: IncomingMessage, res: ServerResponse, path: string) => Promise<boolean> {
    const log = gw.logger.child({ component: 'transfers' });

    const originOf = (req: IncomingMessage): Origin => ({ transport: 'http', remote: req.socket.remoteAddress ?? 'unknown' });

    /**
     * The caller, authenticated (the AuthGate counts and audits failures), rate-limited and
     * authorised for one of `methods` (tried in order; a refusal is audited as `what`), or an RpcError.
     */
    const admit = async (req: IncomingMessage, what: string, methods: readonly string[]): Promise<Principal> => {
        const token = gw.bearerOf(req.headers.authorization);
        const principal = await gw.gate.authenticate(token, originOf(req), what);
        const admitted = gw.limiter.take(token!);
        if (!admitted.ok) throw new RpcError(ErrorCodes.RateLimited, `rate limited; retry in ${admitted.retryAfterMs} ms`, { retryAfterMs: admitted.retryAfterMs });
        let refusal: unknown;
        for (const m of methods) {
            try {
                await gw.dispatcher.authorizeSession(principal, m, 'researcher');
                return principal;
            } catch (e) {
                refusal ??= e;
            }
        }
        const err = userErrorOf(refusal);
        if (err) await audit(req, principal, what, {}, err);
        throw refusal;
    };

    /** One audit record of a transfer (the name and size, never the content). */
    const audit = (req: IncomingMessage, principal: Principal, what: string, target: Record<string, string | number>, err?: RpcError): Promise<void> =>
        gw.dispatcher.audit({ actor: auditActor(principal, originOf(req)), method: what, target, result: err ? 'error' : 'ok', ...(err ? { code: err.code } : {}) });

    const fail = (req: IncomingMessage, res: ServerResponse, e: unknown, closeConnection: boolean): void => {
        const err = userErrorOf(e) ?? new RpcError(ErrorCodes.InternalError, 'internal error; the daemon log has the details');
        if (err.code === ErrorCodes.InternalError) log.error({ err: e, url: req.url }, 'transfer failed');
        const headers: Record<string, string> = {};
        if (err.code === ErrorCodes.Unauthenticated) headers['www-authenticate'] = 'Bearer realm="alphaforge"';
        if (err.code === ErrorCodes.RateLimited) headers['retry-after'] = String(Math.ceil(Number(err.data?.retryAfterMs ?? 1000) / 1000));
        if (closeConnection) headers.connection = 'close';
        sendError(res, err, headers);
        // Whatever the client still sends is discarded, never stored or buffered.
        if (!req.complete) req.resume();
    };

    const nameOf = (path: string, prefix: string): string | undefined => {
        try {
            return decodeURIComponent(path.slice(prefix.length + 1));
        } catch {
            return undefined;
        }
    };

    const upload = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
        if (req.method !== 'PUT' && req.method !== 'POST') {
            res.setHeader('allow', 'PUT');
            return fail(req, res, new RpcError(ErrorCodes.InvalidParams, `${UPLOADS_PATH}/<name> takes PUT with the file's bytes as the body`), false);
        }
        let principal: Principal | undefined;
        const name = nameOf(path, UPLOADS_PATH);
        try {
            principal = await admit(req, 'data.upload', ['data.import']);
            if (name === undefined) throw new RpcError(ErrorCodes.InvalidParams, 'the upload name is not valid URL encoding');
            const declared = Number(req.headers['content-length'] ?? NaN);
            if (declared > o.maxUploadBytes) {
                throw new RpcError(ErrorCodes.PayloadTooLarge, `the upload of ${declared} bytes exceeds the limit of ${o.maxUploadBytes} bytes`, { limit: o.maxUploadBytes });
            }
            const r = await o.store.upload(principal, name, req, o.maxUploadBytes);
            await audit(req, principal, 'data.upload', { name: r.name, upload: r.id, bytes: r.bytes, sha256: r.sha256 });
            const text = JSON.stringify(r);
            res.writeHead(201, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) });
            res.end(text);
        } catch (e) {
            const err = userErrorOf(e);
            if (principal && err && err.code !== ErrorCodes.Forbidden) await audit(req, principal, 'data.upload', { name: (name ?? '').slice(0, 128) }, err);
            // A refused upload's connection is closed, unless what the client may still send is declared and small: then
            // it is read and discarded (within the request time limit) so the client finishes sending and reads the
            // refusal. Closed under a client still writing, it saw EPIPE ("cannot reach the daemon"), not the 413.
            const declared = Number(req.headers['content-length'] ?? NaN);
            fail(req, res, e, !(Number.isFinite(declared) && declared <= DRAIN_REFUSED_BYTES));
        }
    };

    const download = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
        if (req.method !== 'GET' && req.method !== 'HEAD') {
            res.setHeader('allow', 'GET, HEAD');
            return fail(req, res, new RpcError(ErrorCodes.InvalidParams, `${EXPORTS_PATH}/<name> takes GET`), false);
        }
        let file: { path: string; bytes: number };
        let principal: Principal | undefined;
        const name = nameOf(path, EXPORTS_PATH);
        try {
            principal = await admit(req, 'data.download', ['data.export', 'experiments.export']);
            if (name === undefined) throw new RpcError(ErrorCodes.InvalidParams, 'the export name is not valid URL encoding');
            file = o.store.download(principal, name);
            await audit(req, principal, 'data.download', { name, bytes: file.bytes });
        } catch (e) {
            const err = userErrorOf(e);
            if (principal && err && err.code !== ErrorCodes.Forbidden) await audit(req, principal, 'data.download', { name: (name ?? '').slice(0, 128) }, err);
            return fail(req, res, e, false);
        }
        const ext = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
        res.writeHead(200, {
            'content-type': MEDIA[ext] ?? 'application/octet-stream',
            'content-length': String(file.bytes),
            'content-disposition': `attachment; filename="${name}"`,
        });
        if (req.method === 'HEAD') {
            res.end();
            return;
        }
        try {
            await pipeline(createReadStream(file.path), res);
        } catch (e) {
            log.warn({ err: e, url: req.url }, 'download interrupted');
            res.destroy();
        }
    };

    return async (req, res, path) => {
        if (path.startsWith(`${UPLOADS_PATH}/`)) {
            await upload(req, res, path);
            return true;
        }
        if (path.startsWith(`${EXPORTS_PATH}/`)) {
            await download(req, res, path);
            return true;
        }
        return false;
    };
}
