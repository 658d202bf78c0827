// Types of servers.mjs for the tests that start team mode's servers.
export interface ServerInfo { pid: number; port: number; url: string; tcpPort?: number; data?: string }
export interface ServersState { dir: string; redis?: ServerInfo; postgres?: ServerInfo; clickhouse?: ServerInfo }
export function freePort(): Promise<number>;
export function up(dir: string, o?: { only?: ('redis' | 'postgres' | 'clickhouse')[]; ports?: { redis?: number; postgres?: number; clickhouse?: number; clickhouseTcp?: number }; bind?: string[] }): Promise<ServersState>;
export function down(dir: string, o?: { wipe?: boolean }): void;
