/**
 * `af mcp`: the MCP server over stdio, for AI agents (Claude Desktop, Claude Code, any MCP
 * client). It finds the daemon and its token like every client command (--url / $AF_DAEMON_URL /
 * daemon.json, --token / $AF_TOKEN / af login / admin.token) and serves until stdin closes or it
 * is signalled. stdout carries the MCP protocol only: every other line goes to stderr.
 */
import { ErrorCodes, RpcError } from '../../../../protocol/src/daemon/index.js';
import { connect, type ConnectOptions } from './daemon.js';

export async function mcpCommand(o: ConnectOptions & { workspace?: string }, err: (s: string) => void): Promise<number> {
    // Nothing but MCP may reach stdout: send stray console output of any module to stderr.
    console.log = console.info = console.debug = (...args: unknown[]) => { console.error(...args); };
    const client = connect(o);
    // Loaded here, not at the top: other commands do not pay for the MCP SDK.
    const { StdioServerTransport } = await import('@modelcontextprotocol/sdk/server/stdio.js');
    const { createMcpServer, MCP_SERVER_VERSION } = await import('../../mcp/server.js');
    const server = createMcpServer(client, { ...(o.stateDir ? { stateDir: o.stateDir } : {}), ...(o.workspace ? { workspace: o.workspace } : {}) });
    const transport = new StdioServerTransport();
    const closed = new Promise<void>(resolve => {
        const done = (): void => { resolve(); };
        process.stdin.once('end', done);
        process.stdin.once('close', done);
        process.once('SIGTERM', done);
        process.once('SIGINT', done);
        server.server.onclose = done;
    });
    await server.connect(transport);
    err(`af mcp ${MCP_SERVER_VERSION}: serving MCP on stdio for the daemon at ${client.options.url}\n`);
    // Say early (on stderr, in the MCP client's log) whether the token works; tools report it too.
    void client.call('iam.whoami').then(
        r => err(`af mcp: authenticated as ${r.principal.userName} (${r.principal.role} in team ${r.principal.teamName}; scopes ${r.principal.scopes.join(',')})\n`),
        (e: unknown) => {
            if (e instanceof RpcError && e.code === ErrorCodes.Forbidden) err('af mcp: the token is valid (scoped: it may not call iam.whoami)\n');
            else err(`af mcp: warning: ${e instanceof Error ? e.message : String(e)}; tool calls will fail until this is fixed\n`);
        });
    await closed;
    await server.close().catch(() => undefined);
    return 0;
}
