/**
 * The status-bar items: the daemon's state and the number of active runs (a click opens the
 * daemon actions: retry, start, token, logs), and the kill switch while deployments trade. Also
 * keeps the `alphaforge.daemon.state` context key that the views' welcome content and menus read.
 */
import * as vscode from 'vscode';
import { roleAllows, type Deployment } from '../../protocol/src/daemon/index.js';
import type { DaemonConnection, DaemonState } from './daemon-connection.js';
import type { RunRow } from './run-model.js';
import { percent } from './run-model.js';

export class DaemonStatusBar implements vscode.Disposable {
    private readonly item: vscode.StatusBarItem;
    private readonly disposables: vscode.Disposable[] = [];
    private active: readonly RunRow[] = [];

    constructor(private readonly daemon: DaemonConnection, onDidChangeActive: vscode.Event<readonly RunRow[]>) {
        this.item = vscode.window.createStatusBarItem('alphaforge.daemon', vscode.StatusBarAlignment.Left, 10);
        this.item.name = 'AlphaForge Daemon';
        this.item.command = 'alphaforge.daemonActions';
        this.disposables.push(this.item);
        this.disposables.push(daemon.onDidChangeState(() => this.update()));
        this.disposables.push(onDidChangeActive(runs => { this.active = runs; this.update(); }));
        this.update();
        this.item.show();
    }

    private update(): void {
        const s = this.daemon.state;
        void vscode.commands.executeCommand('setContext', 'alphaforge.daemon.state', s.kind);
        void vscode.commands.executeCommand('setContext', 'alphaforge.activeRuns', this.active.length);
        const { text, tooltip, warning } = describe(s, this.active);
        this.item.text = text;
        this.item.tooltip = tooltip;
        this.item.backgroundColor = warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
        this.item.accessibilityInformation = { label: tooltip.value.replace(/[*`$()]/g, '').split('\n')[0] ?? 'AlphaForge daemon' };
    }

    dispose(): void {
        for (const d of this.disposables) d.dispose();
    }
}

function describe(s: DaemonState, active: readonly RunRow[]): { text: string; tooltip: vscode.MarkdownString; warning: boolean } {
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = { enabledCommands: ['alphaforge.connectDaemon', 'alphaforge.startDaemon', 'alphaforge.setToken', 'alphaforge.showDaemonLog'] };
    switch (s.kind) {
        case 'connecting':
            md.appendMarkdown('AlphaForge: connecting to the daemon…');
            return { text: '$(sync~spin) AlphaForge', tooltip: md, warning: false };
        case 'starting':
            md.appendMarkdown('AlphaForge: starting the daemon…');
            return { text: '$(loading~spin) AlphaForge: starting daemon', tooltip: md, warning: false };
        case 'connected': {
            md.appendMarkdown(`**AlphaForge daemon** ${s.version} at ${s.url}\n\n`);
            md.appendMarkdown(`${s.principal.userName} in ${s.principal.teamName} (${s.principal.role})${s.live ? '' : ' — no live events, polling'}\n\n`);
            if (active.length) {
                md.appendMarkdown(`**${active.length} active run${active.length === 1 ? '' : 's'}**\n\n`);
                for (const r of active.slice(0, 8)) md.appendMarkdown(`- ${r.strategy ?? r.id} ${r.kind}: ${r.state}${r.state === 'running' && r.progress !== null ? ` ${percent(r.progress)}` : ''}\n`);
            } else md.appendMarkdown('No active runs.');
            const runs = active.length ? ` $(loading~spin) ${active.length}` : '';
            return { text: `$(server-process) AlphaForge${runs}`, tooltip: md, warning: false };
        }
        case 'unauthorized':
            md.appendMarkdown(`**AlphaForge daemon at ${s.url} needs a token**\n\n${s.message}\n\n[Set token](command:alphaforge.setToken)`);
            return { text: '$(key) AlphaForge: token needed', tooltip: md, warning: true };
        case 'down': {
            const retry = s.retryAt ? ` Retrying in ${Math.max(1, Math.round((s.retryAt - Date.now()) / 1000))} s.` : '';
            md.appendMarkdown(`**AlphaForge daemon is down**\n\n${s.message}.${retry}\n\n[Retry now](command:alphaforge.connectDaemon) · [Start daemon](command:alphaforge.startDaemon) · [Show log](command:alphaforge.showDaemonLog)`);
            return { text: '$(debug-disconnect) AlphaForge: daemon down', tooltip: md, warning: true };
        }
    }
}

/**
 * The kill switch in the status bar: shown while the connected token's team has deployments that
 * have not ended and the token may kill them (trader or admin); a click runs `alphaforge.killAll`,
 * which asks before it calls execution.kill {all: true}.
 */
export class KillSwitchStatusBar implements vscode.Disposable {
    private readonly item: vscode.StatusBarItem;
    private readonly disposables: vscode.Disposable[] = [];
    private live: readonly Deployment[] = [];

    constructor(private readonly daemon: DaemonConnection, onDidChangeLive: vscode.Event<readonly Deployment[]>) {
        this.item = vscode.window.createStatusBarItem('alphaforge.killSwitch', vscode.StatusBarAlignment.Left, 9);
        this.item.name = 'AlphaForge Kill Switch';
        this.item.command = 'alphaforge.killAll';
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        this.disposables.push(this.item);
        this.disposables.push(daemon.onDidChangeState(() => this.update()));
        this.disposables.push(onDidChangeLive(live => { this.live = live; this.update(); }));
        this.update();
    }

    private update(): void {
        const s = this.daemon.state;
        const may = s.kind === 'connected' && roleAllows(s.principal.role, 'trader');
        void vscode.commands.executeCommand('setContext', 'alphaforge.liveDeployments', may ? this.live.length : 0);
        if (!may || this.live.length === 0) {
            this.item.hide();
            return;
        }
        const n = this.live.length;
        this.item.text = `$(stop-circle) Kill ${n}`;
        this.item.tooltip = `AlphaForge kill switch: cancel every open order, flatten every position and halt the ${n} deployment${n === 1 ? '' : 's'} of team ${s.kind === 'connected' ? s.principal.teamName : ''} that ${n === 1 ? 'has' : 'have'} not ended (asks first)`;
        this.item.accessibilityInformation = { label: `Kill switch: ${n} live deployment${n === 1 ? '' : 's'}` };
        this.item.show();
    }

    dispose(): void {
        for (const d of this.disposables) d.dispose();
    }
}
