/** LSP formatting: the language's canonical formatter as one whole-document edit. */
import type { LangiumDocument, MaybePromise } from 'langium';
import type { Formatter } from 'langium/lsp';
import type { DocumentFormattingParams, DocumentOnTypeFormattingOptions, DocumentOnTypeFormattingParams, DocumentRangeFormattingParams, TextEdit } from 'vscode-languageserver';
import { formatDocument } from '../../language/src/format/formatter.js';
import type { AlphaForgeLspServices } from './alphaforge-lsp-module.js';

export class AlphaForgeFormatter implements Formatter {
    constructor(_services: AlphaForgeLspServices) {}

    formatDocument(document: LangiumDocument, _params: DocumentFormattingParams): MaybePromise<TextEdit[]> {
        const r = formatDocument(document);
        if (!r.ok) return []; // syntax errors: leave the text alone (the diagnostics say why)
        const text = document.textDocument.getText();
        if (r.text === text) return [];
        return [{ range: { start: { line: 0, character: 0 }, end: document.textDocument.positionAt(text.length) }, newText: r.text }];
    }

    /** The layout is decided for the whole file; a range request formats the whole file too. */
    formatDocumentRange(document: LangiumDocument, params: DocumentRangeFormattingParams): MaybePromise<TextEdit[]> {
        return this.formatDocument(document, { textDocument: params.textDocument, options: params.options });
    }

    formatDocumentOnType(_document: LangiumDocument, _params: DocumentOnTypeFormattingParams): MaybePromise<TextEdit[]> {
        return [];
    }

    get formatOnTypeOptions(): DocumentOnTypeFormattingOptions | undefined {
        return undefined;
    }
}
