/**
 * The `telemetry` section of the configuration: where spans go (OTLP over HTTP), under which
 * service name, and which share of traces is kept. Apart from the SDK (telemetry.ts) so that
 * reading the configuration does not load it. Without an endpoint (in the file or the standard
 * OTEL_EXPORTER_OTLP_* variables) nothing is exported and spans are the API's no-ops.
 */
import { z } from 'zod';

export const TelemetrySettingsSchema = z.object({
    otlpUrl: z.string().url().regex(/^https?:\/\//, 'must be an http:// or https:// URL')
        .describe('The OTLP/HTTP endpoint spans are sent to: a collector\'s base URL (http://host:4318, /v1/traces is added) or the full traces URL.'),
    serviceName: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be 1-100 letters, digits, ., _ or -').optional()
        .describe('service.name of the spans (default alphaforge-daemon / alphaforge-worker, or $OTEL_SERVICE_NAME).'),
    sampleRatio: z.number().min(0).max(1).optional()
        .describe('Share of new traces kept, 0..1 (default 1); a trace a caller started keeps the caller\'s decision.'),
}).strict();

export type TelemetrySettings = z.infer<typeof TelemetrySettingsSchema>;

type Env = Readonly<Record<string, string | undefined>>;

/** The traces URL: a base URL (path empty or /) gets OTLP's /v1/traces. */
export function tracesUrl(url: string): string {
    const u = new URL(url);
    if (u.pathname === '' || u.pathname === '/') u.pathname = '/v1/traces';
    return u.toString();
}

/**
 * The settings in force: the file's section over the standard variables (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
 * OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME); undefined when no endpoint is given (tracing off).
 * `where` names the file for a bad value.
 */
export function resolveTelemetry(section: Partial<TelemetrySettings> | undefined, env: Env, where: string): TelemetrySettings | undefined {
    const fromEnv = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.trim() || env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim() || undefined;
    const otlpUrl = section?.otlpUrl ?? fromEnv;
    if (otlpUrl === undefined) return undefined;
    const serviceName = section?.serviceName ?? (env['OTEL_SERVICE_NAME']?.trim() || undefined);
    const r = TelemetrySettingsSchema.safeParse({ ...section, otlpUrl, ...(serviceName ? { serviceName } : {}) });
    if (!r.success) {
        const at = (i: { path: PropertyKey[] }): string => {
            const key = i.path.map(String).join('.');
            if (key === 'otlpUrl' && section?.otlpUrl === undefined) return '$OTEL_EXPORTER_OTLP_ENDPOINT';
            if (key === 'serviceName' && section?.serviceName === undefined) return '$OTEL_SERVICE_NAME';
            return `${where}: telemetry.${key}`;
        };
        throw new TelemetrySettingsError(r.error.issues.map(i => `${at(i)}: ${i.message}`).join('; ') + ' (docs/team-mode.md, Tracing)');
    }
    return { ...r.data, otlpUrl: tracesUrl(r.data.otlpUrl) };
}

export class TelemetrySettingsError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'TelemetrySettingsError';
    }
}
