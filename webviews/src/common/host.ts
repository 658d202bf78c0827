/**
 * The webview side of the message channel. Inside VS Code it talks through `acquireVsCodeApi()`;
 * standalone (the HTML report opened in a browser) there is no host: messages come only from the
 * page's embedded initial state, and what the panel would send is dropped (`connected` is false,
 * so the panel hides what needs a host). Every incoming message is validated against the
 * panel's schema and ignored (with a console warning) if it does not fit; outgoing ones are
 * validated too, so a bug here cannot send the extension something it would reject.
 */
import type { z } from 'zod';
import { parseMessage } from '../protocol.js';
import { INITIAL_STATE_ID } from '../html.js';

interface VsCodeApi {
    postMessage(message: unknown): void;
    getState(): unknown;
    setState(state: unknown): void;
}

declare global {
    // Provided by VS Code inside webviews (callable once per page).
    var acquireVsCodeApi: (() => VsCodeApi) | undefined;
}

export interface Host<In, Out> {
    /** True inside VS Code (or a test harness that provides acquireVsCodeApi). */
    readonly connected: boolean;
    post(message: Out): void;
    /** Remembers messages to replay when VS Code re-creates the page (panel hidden and shown again). */
    remember(key: string, message: unknown): void;
    /** Replays the embedded initial state and the remembered messages, then listens to the host and says `ready`. */
    listen(onMessage: (m: In) => void): void;
}

/** The channel of a panel; nothing is delivered until `listen`. */
export function connect<In extends { type: string }, Out extends { type: string }>(inbound: z.ZodType<In>, outbound: z.ZodType<Out>): Host<In, Out> {
    const api = typeof globalThis.acquireVsCodeApi === 'function' ? globalThis.acquireVsCodeApi() : undefined;
    const remembered: Record<string, unknown> = {};
    const saved = api?.getState();
    if (saved && typeof saved === 'object') Object.assign(remembered, saved);

    let onMessage: (m: In) => void = () => undefined;
    const deliver = (data: unknown, from: string): void => {
        const r = parseMessage(inbound, data);
        if (!r.ok) {
            console.warn(`AlphaForge panel: ignored a message from ${from}: ${r.error}`);
            return;
        }
        try {
            onMessage(r.message);
        } catch (e) {
            console.error('AlphaForge panel: failed to handle a message', e);
        }
    };

    const host: Host<In, Out> = {
        connected: api !== undefined,
        post(message) {
            const r = parseMessage(outbound, message);
            if (!r.ok) {
                console.error(`AlphaForge panel: refused to send ${r.error}`);
                return;
            }
            api?.postMessage(r.message);
        },
        remember(key, message) {
            remembered[key] = message;
            api?.setState(remembered);
        },
        listen(handler) {
            onMessage = handler;
            replay();
            window.addEventListener('message', (e: MessageEvent) => {
                // Standalone, only this page (or its embedding frame) may drive the panel.
                if (!api && e.source !== window && e.source !== window.parent) return;
                deliver(e.data, 'the host');
            });
            host.post({ type: 'ready' } as Out);
        },
    };

    function replay(): void {
        const embedded = document.getElementById(INITIAL_STATE_ID)?.textContent;
        if (embedded) {
            let initial: unknown;
            try {
                initial = JSON.parse(embedded);
            } catch {
                console.warn('AlphaForge panel: the embedded initial state is not JSON');
            }
            for (const m of Array.isArray(initial) ? initial : initial === undefined || initial === null ? [] : [initial]) deliver(m, 'the page');
        }
        // Newer than the page's: what the panel had when VS Code last hid it.
        for (const m of Object.values(remembered)) deliver(m, 'the saved state');
    }
    return host;
}
