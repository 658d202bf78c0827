/** Trace ids: W3C traceparent parse and format. */
import { describe, expect, it } from 'vitest';
import { formatTraceparent, isTraceId, newSpanId, newTraceId, parseTraceparent, traceIdFrom } from '../../src/monitoring/trace.js';

const EXAMPLE = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('trace ids', () => {
    it('newTraceId is 16 random bytes as 32 lowercase hex digits', () => {
        const ids = new Set(Array.from({ length: 200 }, () => newTraceId()));
        expect(ids.size).toBe(200);
        for (const id of ids) {
            expect(id).toMatch(/^[0-9a-f]{32}$/);
            expect(isTraceId(id)).toBe(true);
        }
        expect(newSpanId()).toMatch(/^[0-9a-f]{16}$/);
    });

    it('parses the W3C example', () => {
        expect(parseTraceparent(EXAMPLE)).toEqual({
            version: '00', traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentId: '00f067aa0ba902b7', flags: '01', sampled: true,
        });
        expect(parseTraceparent(`  ${EXAMPLE.replace(/-01$/, '-00')} `)?.sampled).toBe(false);
        expect(parseTraceparent([EXAMPLE, 'ignored'])?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    });

    it('accepts later versions with extra fields', () => {
        expect(parseTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03-what-ever')).toMatchObject({ version: '01', flags: '03', sampled: true });
    });

    it.each([
        ['empty', ''],
        ['undefined', undefined],
        ['version ff', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
        ['extra field on 00', `${EXAMPLE}-extra`],
        ['upper case', EXAMPLE.toUpperCase()],
        ['short trace id', '00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01'],
        ['zero trace id', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`],
        ['zero parent id', `00-4bf92f3577b34da6a3ce929d0e0e4736-${'0'.repeat(16)}-01`],
        ['non-hex', '00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01'],
        ['bad flags', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1'],
        ['three fields', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7'],
    ])('rejects %s', (_, header) => {
        expect(parseTraceparent(header)).toBeUndefined();
    });

    it('formatTraceparent round-trips and refuses bad ids', () => {
        const traceId = newTraceId();
        const header = formatTraceparent(traceId);
        expect(header).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
        expect(parseTraceparent(header)?.traceId).toBe(traceId);
        expect(formatTraceparent('4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7', false)).toBe(EXAMPLE.replace(/-01$/, '-00'));
        expect(() => formatTraceparent('nope')).toThrow(/invalid trace id/);
        expect(() => formatTraceparent(traceId, '0'.repeat(16))).toThrow(/invalid span id/);
    });

    it('traceIdFrom keeps a valid incoming trace id and mints one otherwise', () => {
        expect(traceIdFrom(EXAMPLE)).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
        const minted = traceIdFrom('garbage');
        expect(isTraceId(minted)).toBe(true);
        expect(traceIdFrom(undefined)).not.toBe(minted);
    });
});
