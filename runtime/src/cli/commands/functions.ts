/** `af functions [NAME]`: the function reference from the catalogue (docs/functions.md is its --markdown). */
import { Catalogue, renderFunctionList, renderFunctionsMarkdown, renderFunctionText } from '../../../../language/src/index.js';
import { suggest } from '../../../../language/src/util/did-you-mean.js';
import { CliError } from '../errors.js';

export function functionsCommand(name: string | undefined, opts: { markdown: boolean }, out: (s: string) => void): number {
    const catalogue = new Catalogue();
    if (!name) {
        out(opts.markdown ? renderFunctionsMarkdown(catalogue) : renderFunctionList(catalogue));
        return 0;
    }
    const entry = catalogue.get(name) ?? catalogue.allEntries().find(e => e.name.toLowerCase() === name.toLowerCase());
    if (!entry) {
        const near = suggest(name, catalogue.allEntries().map(e => e.name));
        throw new CliError(`no function, field or constant '${name}'${near ? `; did you mean '${near}'?` : ''} (af functions lists them all)`);
    }
    out(renderFunctionText(entry));
    return 0;
}
