/**
 * How the language server reaches the daemon for the commands that run something (backtest,
 * sweep): the same discovery as the editor and the CLI (protocol/src/discovery.ts) — the
 * `daemon.url` initialization option, else the announcement of $AF_STATE_DIR or of
 * `<folder>/.alphaforge` — and a token from the `daemon.token` option, $AF_TOKEN, or the local
 * daemon's admin token file. It speaks the daemon's protocol (protocol/src/client.ts); nothing of
 * runtime/ is loaded into the language server.
 */
import { URI } from 'langium';
import type { LangiumSharedServices } from 'langium/lsp';
import * as z from 'zod';
import { DaemonClient } from '../../protocol/src/client.js';
import { discoverDaemon, readAdminToken } from '../../protocol/src/discovery.js';

/** The part of the client's initialization options this module reads (checked: it comes from the client). */
const InitOptions = z.object({
    daemon: z.object({ url: z.string().max(2000).optional(), token: z.string().max(4096).optional(), stateDir: z.string().max(4096).optional() }).optional(),
}).passthrough();

export class DaemonLink {
    private options: z.infer<typeof InitOptions> = {};
    private folders: string[] = [];

    constructor(shared: LangiumSharedServices, private readonly env: NodeJS.ProcessEnv = process.env) {
        shared.lsp.LanguageServer.onInitialize(params => {
            const parsed = InitOptions.safeParse(params.initializationOptions ?? {});
            this.options = parsed.success ? parsed.data : {};
            const folders = params.workspaceFolders?.map(f => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
            this.folders = folders.map(u => URI.parse(u)).filter(u => u.scheme === 'file').map(u => u.fsPath);
        });
    }

    /** A client of the daemon, or why there is none (said so the user knows what to do). */
    connect(): { client: DaemonClient } | { error: string } {
        const d = discoverDaemon({ settingUrl: this.options.daemon?.url, stateDir: this.options.daemon?.stateDir, workspaceFolders: this.folders, env: this.env });
        if (d.kind === 'none') {
            return { error: d.invalidSetting ?? `no AlphaForge daemon is running for this workspace (looked for ${d.searched.join(', ') || 'a state directory'}); start one with \`af daemon start\`` };
        }
        const token = this.options.daemon?.token?.trim() || this.env['AF_TOKEN']?.trim() || (d.stateDir ? readAdminToken(d.stateDir) : undefined);
        if (!token) return { error: `the daemon at ${d.url} needs a token: pass daemon.token in the initialization options or set $AF_TOKEN` };
        return { client: new DaemonClient({ url: d.url, token }) };
    }
}
