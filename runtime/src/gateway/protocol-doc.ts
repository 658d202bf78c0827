/**
 * docs/protocol.md, generated from the method table (protocol/src/daemon/):
 * transports, authentication, errors, every method with its role and its params and result as
 * JSON Schema (zod's toJSONSchema), the WebSocket session and events, and the gRPC service.
 * `node scripts/gen-protocol-doc.js` writes it; a test fails when the file is stale.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
    DEFAULT_DAEMON_HOST, DEFAULT_DAEMON_PORT, DEFAULT_MAX_UPLOAD_BYTES, ERROR_DESCRIPTIONS, ErrorCodes, EVENT_NOTIFICATION, EXPORTS_PATH, MAX_TOPICS, METHOD_NAMES, METHODS,
    PROTOCOL_VERSION, ROLES, RPC_PATH, roleAllows, StreamEventSchema, UPLOADS_PATH, UploadResultSchema, WS_CLOSE, WS_METHODS, WS_PATH,
} from '../../../protocol/src/daemon/index.js';
import { defaultProtoPath } from './grpc.js';
import { DEFAULT_LIMITS } from './http.js';

const SAFE = Number.MAX_SAFE_INTEGER;

/** Drops noise from zod's JSON Schema: $schema, the ISO date-time regex (the format says it), safe-integer bounds. */
function clean(node: unknown): unknown {
    if (Array.isArray(node)) return node.map(clean);
    if (typeof node !== 'object' || node === null) return node;
    const out: Record<string, unknown> = {};
    const o = node as Record<string, unknown>;
    for (const [k, v] of Object.entries(o)) {
        if (k === '$schema') continue;
        if (k === 'pattern' && o.format === 'date-time') continue;
        if (k === 'minimum' && v === -SAFE) continue;
        if (k === 'maximum' && v === SAFE) continue;
        out[k] = clean(v);
    }
    return out;
}

/** JSON with anything that fits on a line kept on one line. */
function pretty(v: unknown, indent = ''): string {
    // One line, with the spaces of the multi-line form (strings never contain raw newlines in JSON).
    const flat = JSON.stringify(v, null, 1)?.replace(/\n\s*/g, ' ');
    if (flat === undefined || typeof v !== 'object' || v === null || flat.length + indent.length <= 100) return flat ?? 'null';
    const inner = indent + '  ';
    if (Array.isArray(v)) return `[\n${v.map(x => inner + pretty(x, inner)).join(',\n')}\n${indent}]`;
    const entries = Object.entries(v as Record<string, unknown>).map(([k, x]) => `${inner}${JSON.stringify(k)}: ${pretty(x, inner)}`);
    return `{\n${entries.join(',\n')}\n${indent}}`;
}

function schemaBlock(schema: z.ZodType, io: 'input' | 'output'): string {
    const json = clean(z.toJSONSchema(schema, { io, unrepresentable: 'any' }));
    return '```json\n' + pretty(json) + '\n```\n';
}

export function renderProtocolDoc(protoText: string = readFileSync(defaultProtoPath(), 'utf8')): string {
    const L = DEFAULT_LIMITS;
    const out: string[] = [];
    const p = (s = ''): void => { out.push(s); };

    p('# The daemon protocol');
    p();
    p(`<!-- Generated from protocol/src/daemon/ by \`node scripts/gen-protocol-doc.js\` (after \`npm run build\`). Do not edit: a test fails when this file is stale. -->`);
    p();
    p(`Protocol version **${PROTOCOL_VERSION}**. The daemon (\`af daemon\`) is one process that the CLI, the VS Code extension and AI agents talk to; this gateway is its only door. One method table (\`protocol/src/daemon/\`) defines every method's parameters, result, required role and availability; the gateway validates calls with it, the TypeScript client (\`protocol/src/client.ts\`) is typed by it and checks results with it, and this page is generated from it.`);
    p();
    p('## Transports');
    p();
    p(`- **HTTP**: \`POST ${RPC_PATH}\` with a JSON-RPC 2.0 request (or a batch: an array of at most ${L.maxBatch}) and \`Authorization: Bearer <token>\`. Listens on \`${DEFAULT_DAEMON_HOST}:${DEFAULT_DAEMON_PORT}\` by default; binding any non-loopback address needs TLS settings (HTTPS/WSS) or an explicit insecure-remote flag, otherwise the daemon refuses to start.`);
    p('  HTTP statuses: 200 for results and most errors (the JSON-RPC error is in the body), 204 when only notifications were sent, 400 for -32700 and -32600, and 401, 403, 413, 429 mirrored from the error code of a single call (429 with `Retry-After`).');
    p('  Also `GET /healthz` (alive), `GET /readyz` (ready: 200 or 503) and `GET /metrics` (Prometheus; needs a token unless the daemon is configured otherwise).');
    p(`- **Files**: \`PUT ${UPLOADS_PATH}/<name>\` (an upload to import) and \`GET ${EXPORTS_PATH}/<name>\` (an export to download) on the same port, with the same token. See [Files](#files).`);
    p(`- **WebSocket**: \`${WS_PATH}\` on the same port. JSON-RPC 2.0 in text frames (the same methods), plus the session methods and event notifications below.`);
    p('- **gRPC**: the `alphaforge.v1.Daemon` service (`runtime/proto/alphaforge.proto`), optionally on its own port. `Call` carries a method name and its params as JSON and is served by the same dispatcher; `Subscribe` streams the same events. See [gRPC](#grpc).');
    p();
    p('Params are passed by name (an object); unknown fields are refused. Results are objects; clients must ignore fields they do not know. Record times are ISO 8601 UTC strings, bar times epoch milliseconds; metric values that are NaN or infinite in the engine are `null`.');
    p();
    p('### Files');
    p();
    p(`\`PUT ${UPLOADS_PATH}/<name>\` with a file's bytes as the body (a .csv, .tsv, .parquet or .pq name of letters, digits, \`.\`, \`_\` and \`-\`, not starting with a dot) stores it in the caller's team folder, streamed to disk, and answers 201 with the upload below; \`data.import {"upload": id}\` imports it (for other teams the id does not exist: 404). \`GET ${EXPORTS_PATH}/<name>\` streams back a file that \`data.export\` or \`experiments.export\` wrote to the caller's team export folder (their result's \`file\`). Uploads need \`data.import\`'s role and scope, downloads \`data.export\`'s or \`experiments.export\`'s. Errors are JSON-RPC error objects with the HTTP status of their code (400, 401, 403, 404, 413, 429).`);
    p();
    p('Exports never write where a client says on the daemon\'s host, and `data.import {"file"}` reads only a regular .csv, .tsv, .parquet or .pq file inside the daemon\'s data directories (the workspace it was started in, or `--data-dir`) or `<state dir>/imports/`, checked after symlinks; never the state directory otherwise, another team\'s uploads or a hidden file. Its errors name the file, line numbers and problem classes, never what the file holds.');
    p();
    p(schemaBlock(UploadResultSchema, 'output'));
    p('### Limits (defaults)');
    p();
    p('| limit | default | when exceeded |');
    p('| --- | --- | --- |');
    p(`| request body / WebSocket message / gRPC message | ${L.maxRequestBytes} bytes | 413 (gRPC: RESOURCE_EXHAUSTED); the daemon stays up |`);
    p(`| calls per batch | ${L.maxBatch} | -32600 with \`data.limit\` |`);
    p(`| calls per token | ${L.ratePerSecond}/s sustained, bursts of ${L.rateBurst} (a batch counts each call) | 429 with \`data.retryAfterMs\` and \`Retry-After\` |`);
    p(`| failed authentications per remote address, and per token prefix | ${L.failedAuthPerMinute}/min | further failures 429 for a while; a valid token is always accepted (it is verified first) |`);
    p(`| time to send a request | ${L.requestTimeoutMs} ms | connection closed |`);
    p(`| upload (\`PUT ${UPLOADS_PATH}/<name>\`) | ${DEFAULT_MAX_UPLOAD_BYTES} bytes (\`--max-upload-mb\`), sent within the request time above | 413, nothing kept |`);
    p(`| WebSocket send buffer (high-water mark) | ${L.ws.queue.highWaterBytes} bytes | messages wait in the session's queue |`);
    p(`| WebSocket session queue | ${L.ws.queue.maxQueued} messages / ${L.ws.queue.maxQueuedBytes} bytes | oldest progress events dropped, then oldest log lines, one \`lagged\` event; if only responses, lifecycle events and alerts are left the session is closed (${WS_CLOSE.TooSlow}) |`);
    p(`| WebSocket authentication (no token on the upgrade) | ${L.ws.authTimeoutMs} ms | closed (${WS_CLOSE.AuthTimeout}) |`);
    p();
    p('## Authentication and roles');
    p();
    p(`Every call is authenticated and authorised. The bearer token is verified first (401 when it is missing, unknown, expired or revoked), then the method's role is checked against the user's role in the token's team, and the token's scopes against the method (403). Roles, least privileged first: ${ROLES.map(r => `\`${r}\``).join(' < ')}; each role may do everything the roles before it may. Scopes are \`*\`, a namespace (\`runs\`) or a method (\`runs.cancel\`); WebSocket and gRPC subscriptions need the \`events\` namespace (or \`*\`).`);
    p();
    p('### Permission matrix');
    p();
    p('Who may call what, read off the method table (`METHODS[m].role`, the one source of truth; `roleAllows` in protocol/src/roles.ts decides). ✓: allowed in the caller\'s team; –: 403. Every call is also limited to the caller\'s team\'s runs, experiments, data and files.');
    p();
    p(`| method | ${ROLES.join(' | ')} |`);
    p(`| --- | ${ROLES.map(() => ':---:').join(' | ')} |`);
    for (const name of METHOD_NAMES) p(`| \`${name}\` | ${ROLES.map(r => (roleAllows(r, METHODS[name].role) ? '✓' : '–')).join(' | ')} |`);
    p();
    p('## Errors');
    p();
    p('A failed call answers `{"jsonrpc":"2.0","id":…,"error":{"code":…,"message":"…","data":{…}}}`. The message is one line meant for a person; `data` carries details:');
    p();
    p(schemaBlockLess());
    p('| code | name | meaning |');
    p('| --- | --- | --- |');
    for (const [name, code] of Object.entries(ErrorCodes)) {
        p(`| ${code} | ${name} | ${ERROR_DESCRIPTIONS[code].replace(/\|/g, '\\|')} |`);
    }
    p();
    p('Malformed JSON, a request that is not JSON-RPC, an unknown method, wrong types and oversized payloads are all answered with these errors; none of them stops the daemon. An unexpected failure inside the daemon is -32603 with `data.requestId` (its log has the details) and never a stack trace.');
    p();
    p('## Methods');
    p();
    p('| method | role | available | description |');
    p('| --- | --- | --- | --- |');
    for (const name of METHOD_NAMES) {
        const m = METHODS[name];
        p(`| [\`${name}\`](#${anchor(name)}) | ${m.role} | ${m.available ? 'yes' : 'no (501)'} | ${m.description.replace(/\|/g, '\\|')} |`);
    }
    p();
    /** One method's section: heading, description, an optional note, params and result schemas. */
    const method = (name: string, m: { description: string; params: z.ZodType; result: z.ZodType }, note?: string): void => {
        p(`### ${name}`);
        p();
        p(m.description);
        p();
        if (note) { p(note); p(); }
        p('Params:');
        p();
        p(schemaBlock(m.params, 'input'));
        p('Result:');
        p();
        p(schemaBlock(m.result, 'output'));
    };
    for (const name of METHOD_NAMES) {
        const m = METHODS[name];
        method(name, m, `Role: **${m.role}**.${m.available ? '' : ` **Not available yet**: answers 501 \`not available yet: ${m.pending}\`.`}`);
    }
    p('## WebSocket sessions and events');
    p();
    p(`Connect to \`${WS_PATH}\` with \`Authorization: Bearer <token>\` (or \`?token=\` where headers cannot be set; a bad token is refused with HTTP 401 before the upgrade), or connect without one and send \`auth\` first. Any method of the table can then be called as over HTTP (each call re-verifies the token and counts against its rate limit). A session (and a gRPC \`Subscribe\` stream) ends at once when its token is revoked or expires, or its user is disabled or removed from the team: closed with ${WS_CLOSE.Unauthenticated} (gRPC: UNAUTHENTICATED), before the change's own call is answered; a role change applies to the open session at once. A message may carry the caller's W3C trace context beside its params, \`{"jsonrpc":"2.0","id":1,"method":"runs.submit","params":{…},"meta":{"traceparent":"00-<trace id>-<span id>-01"}}\` (what HTTP's \`traceparent\` header does): the call, the run it submits and the run's events (\`traceId\`) continue that trace; a malformed or oversized one is ignored and the call starts a new trace. Besides those, a session has these methods:`);
    p();
    for (const [name, m] of Object.entries(WS_METHODS)) method(name, m);
    p('### Topics');
    p();
    p(`- \`run:<id>\`: lifecycle, progress and log events of one run.`);
    p(`- \`runs\`: lifecycle and progress events of every run of the caller's team (no log lines).`);
    p(`- \`alerts\`: alert rules firing and resolving.`);
    p();
    p(`At most ${MAX_TOPICS} topics per session. Run events reach members of the run's team only. An event matching several topics of a session is delivered once.`);
    p();
    p('### Event notifications');
    p();
    p(`Events arrive as notifications \`{"jsonrpc":"2.0","method":"${EVENT_NOTIFICATION}","params":<event>}\`. Events of one run arrive in the order they happened. A consumer that reads too slowly first loses progress events (oldest first), then log lines, and receives one \`lagged\` event saying how many and of which runs (re-read with \`runs.get\` / \`runs.logs\`); lifecycle events, alerts and responses are never dropped. The daemon's memory per session stays bounded.`);
    p();
    p(schemaBlock(StreamEventSchema, 'output'));
    p('### Close codes');
    p();
    p('| code | meaning |');
    p('| --- | --- |');
    p(`| ${WS_CLOSE.Unauthenticated} | the token was refused or is no longer valid |`);
    p(`| ${WS_CLOSE.AuthTimeout} | no \`auth\` within the authentication timeout |`);
    p(`| ${WS_CLOSE.TooSlow} | the client read too slowly even after droppable events were dropped |`);
    p('| 1009 | a message far over the size limit |');
    p();
    p('## gRPC');
    p();
    p('The same methods and events over gRPC, for services. `Call` takes the method name and its params as JSON (`params_json`) and returns the result as JSON (`result_json`) or the error (`code`, `message`, `data_json`) exactly as JSON-RPC would; the token goes in `token` or in the `authorization: Bearer <token>` metadata. `Subscribe` streams events (`payload_json` is the event above); a bad token ends it with UNAUTHENTICATED, missing permission with PERMISSION_DENIED, bad topics with INVALID_ARGUMENT, a consumer that cannot keep up with RESOURCE_EXHAUSTED.');
    p();
    p('```proto');
    p(protoText.trimEnd());
    p('```');
    return out.join('\n') + '\n';
}

function schemaBlockLess(): string {
    return '```json\n' + pretty({
        requestId: 'the id of the call in the daemon log',
        method: 'the method called',
        issues: [{ path: ['spec', 'symbols', 0], message: 'Invalid input: expected string, received number', code: 'invalid_type' }],
        requiredRole: 'researcher',
        limit: 1048576,
        retryAfterMs: 250,
        pending: 'what a 501 is waiting for',
    }) + '\n```\n';
}

/** GitHub's heading anchor: lower case, dots dropped. */
function anchor(name: string): string {
    return name.toLowerCase().replace(/[^a-z0-9 _-]/g, '').replace(/ /g, '-');
}
