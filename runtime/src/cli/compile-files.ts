/**
 * Shared by CLI commands: .af files through the process's language services
 * (language-service/local.ts), and their diagnostics as flat, sorted lines.
 */
import { URI } from 'langium';
import { relative } from 'node:path';
import type { AlphaForgeServices, LoadedDocument } from '../../../language/src/index.js';
import { localLanguage, setLocalPacks } from '../language-service/local.js';
import type { RequestOptions } from '../language-service/workspace.js';
import { workspacePacks } from './workspace-packs.js';

// The CLI's language knows the workspace's declared packs (their manifests: no pack code runs to compile).
setLocalPacks(() => workspacePacks().catalogue);

/** Loads the files (with their imports), validates them and runs `fn` on them; the documents are gone afterwards. */
export function withAfFiles<T>(paths: readonly string[], fn: (docs: LoadedDocument[], services: AlphaForgeServices) => T | Promise<T>, options?: RequestOptions): Promise<T> {
    return localLanguage().withFiles(paths.map(p => URI.file(p)), fn, options);
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
    /**
     * Where the problem leads (LSP related information), in order: for a lookahead diagnostic the
     * chain from the node that reads ahead to the rule or order it reaches, into imported files.
     */
    related?: FlatLocation[];
}

export interface FlatLocation {
    file: string;
    line: number;
    column: number;
    message: string;
}

function fileOf(uri: string, cwd: string): string {
    const u = URI.parse(uri);
    if (u.scheme !== 'file') return uri;
    return relative(cwd, u.fsPath) || u.fsPath;
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
            ...(d.relatedInformation?.length
                ? { related: d.relatedInformation.map(r => ({ file: fileOf(r.location.uri, cwd), line: r.location.range.start.line + 1, column: r.location.range.start.character + 1, message: r.message })) }
                : {}),
        }))
        .sort((a, b) => a.line - b.line || a.column - b.column || a.code.localeCompare(b.code));
}
