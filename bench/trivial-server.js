// A language server for a trivial Langium grammar (Langium's hello-world: `person NAME` /
// `Hello NAME!`), with Langium's defaults for everything: the baseline bench/lsp.js measures in
// the same run as the AlphaForge server, over the same stdio protocol. Like out/server/src/main.ts,
// it puts the parsed text's version on published diagnostics so the client can match them to edits.
// Usage: node bench/trivial-server.js --stdio   (spawned by bench/lsp.js)
import { DocumentState } from 'langium';
import { createServicesForGrammar } from 'langium/grammar';
import { startLanguageServer } from 'langium/lsp';
import { NodeFileSystem } from 'langium/node';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node.js';

export const TRIVIAL_GRAMMAR = `grammar Trivial
entry Model: (persons+=Person | greetings+=Greeting)*;
Person: 'person' name=ID;
Greeting: 'Hello' person=[Person:ID] '!';
hidden terminal WS: /\\s+/;
terminal ID: /[_a-zA-Z][\\w]*/;
`;

/** `lines` lines of the trivial language: every other line declares a person, the others greet an earlier one. */
export function trivialText(lines) {
    const out = [];
    for (let i = 0; i < lines; i++) out.push(i % 2 === 0 ? `person P${i >> 1}` : `Hello P${((i * 7919) >> 1) % ((i >> 1) + 1)}!`);
    return out.join('\n') + '\n';
}

if (process.argv.includes('--stdio')) {
    const connection = createConnection(ProposedFeatures.all);
    const services = await createServicesForGrammar({
        grammar: TRIVIAL_GRAMMAR,
        sharedModule: { lsp: { Connection: () => connection }, workspace: { FileSystemProvider: () => NodeFileSystem.fileSystemProvider() } },
    });
    const shared = services.shared;
    const parsedVersion = new Map();
    shared.workspace.DocumentBuilder.onDocumentPhase(DocumentState.Parsed, document => {
        const open = shared.workspace.TextDocuments.get(document.uri.toString());
        if (open) parsedVersion.set(document.uri.toString(), open.version);
    });
    const send = connection.sendDiagnostics.bind(connection);
    connection.sendDiagnostics = params => send(params.version === undefined && parsedVersion.has(params.uri) ? { ...params, version: parsedVersion.get(params.uri) } : params);
    startLanguageServer(shared);
}
