/**
 * Entry point of the AlphaForge language server (stdio or IPC, chosen by the client's arguments).
 * A failure while handling one request must not take the server down: Langium answers with an
 * error for that request; anything unexpected at top level is logged, not fatal.
 */
import { DocumentState } from 'langium';
import { startLanguageServer } from 'langium/lsp';
import { NodeFileSystem } from 'langium/node';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node.js';
import { createAlphaForgeLspServices } from './alphaforge-lsp-module.js';
import { registerCustomRequests } from './custom-requests.js';
import type { AlphaForgeCommandHandler } from './commands.js';
import { DaemonLink } from './daemon-link.js';

const connection = createConnection(ProposedFeatures.all);
const { shared, AlphaForge } = createAlphaForgeLspServices({ connection, ...NodeFileSystem });
const requests = registerCustomRequests(connection, shared, AlphaForge);
// The code lenses' commands (commands.ts) reuse the custom requests and reach the daemon for runs.
(shared.lsp.ExecuteCommandHandler as AlphaForgeCommandHandler).attach({ connection, daemon: new DaemonLink(shared), ...requests });

// Published diagnostics name the version of the text they were computed from (LSP's
// `PublishDiagnosticsParams.version`), so a client can drop stale ones. The text document object
// is updated in place by later edits, so the version is recorded when the document is parsed.
const parsedVersion = new Map<string, number>();
shared.workspace.DocumentBuilder.onDocumentPhase(DocumentState.Parsed, document => {
    const uri = document.uri.toString();
    const open = shared.workspace.TextDocuments.get(uri);
    if (open) parsedVersion.set(uri, open.version);
    else parsedVersion.delete(uri);
});
shared.workspace.TextDocuments.onDidClose(e => parsedVersion.delete(e.document.uri));
const sendDiagnostics = connection.sendDiagnostics.bind(connection);
connection.sendDiagnostics = params => sendDiagnostics(params.version === undefined && parsedVersion.has(params.uri) ? { ...params, version: parsedVersion.get(params.uri) } : params);

process.on('uncaughtException', e => connection.console.error(`alphaforge server: ${e.stack ?? e}`));
process.on('unhandledRejection', e => connection.console.error(`alphaforge server: ${String(e)}`));
startLanguageServer(shared);
