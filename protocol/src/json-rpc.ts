/**
 * The JSON-RPC 2.0 envelope the daemon speaks on every transport.
 */
import * as z from 'zod';
import { ErrorDataSchema } from './errors.js';

export const JsonRpcIdSchema = z.union([z.string().max(256), z.number(), z.null()]);
export type JsonRpcId = z.infer<typeof JsonRpcIdSchema>;

/** A request (with `id`) or a notification (without); params by name (an object) only. */
export const JsonRpcRequestSchema = z.object({
    jsonrpc: z.literal('2.0'),
    id: JsonRpcIdSchema.optional(),
    method: z.string().min(1).max(128),
    params: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
});
export type JsonRpcRequest = z.infer<typeof JsonRpcRequestSchema>;

export const JsonRpcErrorSchema = z.object({ code: z.number().int(), message: z.string(), data: ErrorDataSchema.optional() });
export type JsonRpcError = z.infer<typeof JsonRpcErrorSchema>;

export const JsonRpcResponseSchema = z.union([
    z.object({ jsonrpc: z.literal('2.0'), id: JsonRpcIdSchema, result: z.unknown() }),
    z.object({ jsonrpc: z.literal('2.0'), id: JsonRpcIdSchema, error: JsonRpcErrorSchema }),
]);
export type JsonRpcResponse =
    | { jsonrpc: '2.0'; id: JsonRpcId; result: unknown }
    | { jsonrpc: '2.0'; id: JsonRpcId; error: JsonRpcError };
