/** The gateway: the daemon's only door (HTTP + WebSocket JSON-RPC, gRPC), and the client. See docs/protocol.md. */
export { Dispatcher, type DispatcherOptions, type DispatchContext, errorResponse, formatPath } from './dispatcher.js';
export {
    createGateway, checkBindPolicy, isLoopback, DEFAULT_LIMITS,
    type Gateway, type GatewayOptions, type GatewayLimits, type GatewayStats, type HttpHandler, type LimitsInput, type TlsSettings,
} from './http.js';
export {
    LocalEventBus, EventHub, OutboundQueue, sameTeam, DEFAULT_QUEUE_LIMITS,
    type EventBus, type EventPublisher, type EventListener, type EventRouting, type Visibility, type QueueLimits, type QueueStats, type OutboundSink, type MessageKind,
} from './events.js';
export { WsGateway, type WsLimits, type WsStats, tokenOfRequest } from './ws.js';
export { startGrpcServer, GrpcDaemonClient, loadDaemonService, defaultProtoPath, type GrpcServerHandle, type GrpcClientOptions, type GrpcEventStream } from './grpc.js';
export { DaemonClient, DaemonUnreachableError, type DaemonClientOptions, type CallArgs, type EventSubscription, type SubscribeOptions } from '../../../protocol/src/client.js';
export { RateLimiter, type RateLimitOptions, type Admission } from './rate-limit.js';
export { GatewayConfigError, userErrorOf } from './errors.js';
export { renderProtocolDoc } from './protocol-doc.js';
export * from './types.js';
