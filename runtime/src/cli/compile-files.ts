/** Shared by CLI commands: load .af files with the language library and Node's file system. */
import { NodeFileSystem } from 'langium/node';
import { URI } from 'langium';
import { relative } from 'node:path';
import { createAlphaForgeServices, loadFiles, type AlphaForgeServices, type LoadedDocument } from '../../../language/src/index.js';

let services: AlphaForgeServices | undefined;

export function languageServices(): AlphaForgeServices {
    services ??= createAlphaForgeServices(NodeFileSystem).AlphaForge;
    return services;
}

export async function loadAfFiles(paths: readonly string[]): Promise<LoadedDocument[]> {
    return loadFiles(languageServices(), paths.map(p => URI.file(p)));
}

const SEVERITY = ['', 'error', 'warning', 'info', 'hint'] as const;

export interface FlatDiagnostic {
    file: string;
    line: number;
    column: number;
    endLine: number;
    endColumn: number;
    severity: 'error' | 'warning' | 'info' | 'hint';
    code: string;
    message: string;
}

export function flatten(doc: LoadedDocument, cwd = process.cwd()): FlatDiagnostic[] {
    const file = relative(cwd, doc.document.uri.fsPath) || doc.document.uri.fsPath;
    return doc.diagnostics
        .map(d => ({
            file,
            line: d.range.start.line + 1,
            column: d.range.start.character + 1,
            endLine: d.range.end.line + 1,
            endColumn: d.range.end.character + 1,
            severity: SEVERITY[d.severity ?? 1] as FlatDiagnostic['severity'],
            code: String(d.code ?? ''),
            message: d.message,
        }))
        .sort((a, b) => a.line - b.line || a.column - b.column || a.code.localeCompare(b.code));
}
