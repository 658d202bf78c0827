import { DIAGNOSTICS, diagnosticDoc, renderDiagnosticMarkdown, renderDiagnosticText, renderDiagnosticsMarkdown } from '../../../../language/src/index.js';
import { CliError } from '../errors.js';

export function explainCommand(code: string | undefined, opts: { all: boolean; markdown: boolean }, out: (s: string) => void): number {
    if (opts.all) {
        out(opts.markdown ? renderDiagnosticsMarkdown() : DIAGNOSTICS.map(d => renderDiagnosticText(d)).join('\n'));
        return 0;
    }
    if (!code) throw new CliError('explain needs a code (e.g. `af explain AF101`) or --all');
    const doc = diagnosticDoc(code);
    if (!doc) throw new CliError(`unknown diagnostic code '${code}'; codes are ${DIAGNOSTICS[0].code}…${DIAGNOSTICS[DIAGNOSTICS.length - 1]!.code} (see af explain --all)`);
    out(opts.markdown ? renderDiagnosticMarkdown(doc) + '\n' : renderDiagnosticText(doc));
    return 0;
}
