/**
 * Entry point of the AlphaForge language server (stdio or IPC, chosen by the client's arguments).
 * A failure while handling one request must not take the server down: Langium answers with an
 * error for that request; anything unexpected at top level is logged, not fatal.
 */
import { startLanguageServer } from 'langium/lsp';
import { NodeFileSystem } from 'langium/node';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node.js';
import { createAlphaForgeLspServices } from './alphaforge-lsp-module.js';
import { registerCustomRequests } from './custom-requests.js';

const connection = createConnection(ProposedFeatures.all);
const { shared, AlphaForge } = createAlphaForgeLspServices({ connection, ...NodeFileSystem });
registerCustomRequests(connection, shared, AlphaForge);
process.on('uncaughtException', e => connection.console.error(`alphaforge server: ${e.stack ?? e}`));
process.on('unhandledRejection', e => connection.console.error(`alphaforge server: ${String(e)}`));
startLanguageServer(shared);
