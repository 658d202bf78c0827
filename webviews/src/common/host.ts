/**
 * The webview side of the message channel. Inside VS Code it talks through `acquireVsCodeApi()`;
 * standalone (the HTML report opened in a browser) there is no host: messages come only from the
 * page's embedded initial state, and what the panel would send is dropped (`connected` is false,
 * so the panel hides what needs a host). Every incoming message is validated against the
 * panel's schema and ignored (with a console warning) if it does not fit; outgoing ones are
 * validated too, so a bug here cannot send the extension something it would reject.
 *
 * What the page keeps with `setState` (VS Code's storage across hide/show and window reloads,
 * handed to the panel's serializer) is a `SavedPageState` (protocol.ts): the host's `persist`
 * message, taken here for every panel and not delivered to it, and the few small messages the
 * panel `remember`s. A saved state that does not validate (another version) is ignored.
 */
import type { z } from 'zod';
import { parseMessage, SAVED_STATE_VERSION, SavedPageState } from '../../../protocol/src/webview.js';
import { INITIAL_STATE_ID } from '../../../protocol/src/webview-page.js';

interface VsCodeApi {
    postMessage(message: unknown): void;
    getState(): unknown;
    setState(state: unknown): void;
}

declare global {
    // Provided by VS Code inside webviews (callable once per page).
    var acquireVsCodeApi: (() => VsCodeApi) | undefined;
}

/** The messages a panel is given: all but `persist`, which the channel keeps for it. */
export type Delivered<In> = Exclude<In, { type: 'persist' }>;

export interface Host<In, Out> {
    /** True inside VS Code (or a test harness that provides acquireVsCodeApi). */
    readonly connected: boolean;
    post(message: Out): void;
    /**
     * Remembers a message to replay when VS Code re-creates the page (hidden and shown again, or
     * after a window reload). Small messages only (a filter, not results): the saved state is
     * stored by VS Code, and the host sends the big ones again when the page says `ready`.
     */
    remember(key: string, message: In): void;
    /** Replays the embedded initial state and the remembered messages, then listens to the host and says `ready`. */
    listen(onMessage: (m: Delivered<In>) => void): void;
}

/** The channel of a panel; nothing is delivered until `listen`. */
export function connect<In extends { type: string }, Out extends { type: string }>(inbound: z.ZodType<In>, outbound: z.ZodType<Out>): Host<In, Out> {
    const api = typeof globalThis.acquireVsCodeApi === 'function' ? globalThis.acquireVsCodeApi() : undefined;
    const raw = api?.getState();
    const saved = SavedPageState.safeParse(raw);
    if (raw !== undefined && raw !== null && !saved.success) console.info('AlphaForge panel: ignored a saved state of another version');
    let persisted: unknown = saved.success ? saved.data.persist : undefined;
    const remembered: Record<string, unknown> = saved.success ? { ...saved.data.messages } : {};
    const save = (): void => {
        const state: SavedPageState = { v: SAVED_STATE_VERSION, ...(persisted === undefined ? {} : { persist: persisted }), messages: remembered };
        api?.setState(state);
    };

    let onMessage: (m: Delivered<In>) => void = () => undefined;
    const deliver = (data: unknown, from: string): void => {
        const r = parseMessage(inbound, data);
        if (!r.ok) {
            console.warn(`AlphaForge panel: ignored a message from ${from}: ${r.error}`);
            return;
        }
        const m = r.message;
        if (m.type === 'persist') {
            persisted = (m as { state?: unknown }).state;
            save();
            return;
        }
        try {
            onMessage(m as Delivered<In>);
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
            save();
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
