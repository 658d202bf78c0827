/**
 * Where and how the daemon is reached: protocol version, default address, the HTTP paths of its
 * transports, and the close codes of WebSocket sessions it ends.
 */

/** Bumped on any incompatible change of a method, event or error shape. */
export const PROTOCOL_VERSION = '2.6.0';

/** Where the daemon listens unless configured otherwise: loopback only. */
export const DEFAULT_DAEMON_HOST = '127.0.0.1';
export const DEFAULT_DAEMON_PORT = 7411;
/** Paths on the daemon's HTTP server. */
export const RPC_PATH = '/rpc';
export const WS_PATH = '/ws';
/** `PUT /uploads/<name>`: the bytes of a file to import (data.import {upload}); answers UploadResultSchema. */
export const UPLOADS_PATH = '/uploads';
/** `GET /exports/<name>`: a file data.export / experiments.export wrote to the caller's team export folder. */
export const EXPORTS_PATH = '/exports';
/** Largest upload by default: 1 GiB (the daemon's `maxUploadBytes`). */
export const DEFAULT_MAX_UPLOAD_BYTES = 1024 ** 3;


/** Close codes of a WebSocket session the daemon ends. */
export const WS_CLOSE = {
    /** No (valid) token: the first message was not a successful `auth`, or the token was revoked or expired, its user disabled or removed from the team (the session closes at once). */
    Unauthenticated: 4401,
    /** No `auth` message within the authentication timeout. */
    AuthTimeout: 4408,
    /** The session's credential no longer allows its subscriptions (its user's role or the token's scopes). */
    Forbidden: 4403,
    /** The client read too slowly even after progress and log events were dropped. */
    TooSlow: 4429,
} as const;
