/**
 * `af exp search`: metric keys of a filter or an order that no run records (`metrics.sharpee`)
 * are an error listing the valid keys, instead of a search that silently finds nothing (a
 * predicate on a key a run does not have is false in the filter language). Runs record the
 * metrics of protocol/src/metrics.ts and the search extras only, so the list is complete.
 */
import { METRIC_KEYS, SEARCH_METRICS } from '../../../protocol/src/metrics.js';
import { suggest } from '../../../language/src/util/did-you-mean.js';
import { parseFilter, parseOrderBy, type Field, type FilterNode } from '../experiments/filter.js';
import { CliError } from './errors.js';

export const RECORDED_METRICS: readonly string[] = [...METRIC_KEYS, ...Object.keys(SEARCH_METRICS)];

function fieldsOf(n: FilterNode | undefined): Field[] {
    if (!n) return [];
    switch (n.type) {
        case 'or': case 'and': return n.operands.flatMap(fieldsOf);
        case 'not': return fieldsOf(n.operand);
        default: return [n.field];
    }
}

/** Throws a usage error naming each unknown metric key (with a suggestion) and the valid ones. */
export function checkMetricKeys(filter: string | undefined, orderBy: string | undefined): void {
    let fields: Field[];
    try {
        fields = [...fieldsOf(filter ? parseFilter(filter) : undefined), ...(orderBy ? parseOrderBy(orderBy).map(t => t.field) : [])];
    } catch {
        return; // a syntax error: the daemon reports it with its position
    }
    const unknown = [...new Set(fields.filter(f => f.kind === 'metric' && !RECORDED_METRICS.includes(f.key)).map(f => f.key))];
    if (unknown.length === 0) return;
    const words = unknown.map(k => {
        const near = suggest(k, RECORDED_METRICS);
        return `metrics.${k}${near ? ` (did you mean metrics.${near}?)` : ''}`;
    });
    throw new CliError(`unknown metric${unknown.length > 1 ? 's' : ''} ${words.join(', ')}: no run records ${unknown.length > 1 ? 'them' : 'it'}; the metrics are ${RECORDED_METRICS.join(', ')}`, { code: 'usage' });
}
