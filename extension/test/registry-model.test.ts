/**
 * What the Registry view shows (registry-model.ts): versions grouped by name, newest first; each
 * version's label, description, details, icon and context value (which decides the menu: approve
 * on drafts, nothing but show on an altered entry); references from view nodes and NAME@VERSION.
 */
import { describe, expect, it } from 'vitest';
import type { RegistryEntry } from '../../protocol/src/daemon/index.js';
import { groupDescription, groupEntries, refOf, versionContext, versionDescription, versionDetails, versionIcon, versionLabel } from '../src/registry-model.js';

function entry(name: string, version: number, state: RegistryEntry['state'], o: Partial<RegistryEntry> = {}): RegistryEntry {
    return {
        name, version, state, team: 'alpha', strategy: name, author: 'alice', publishedAt: '2026-01-02T03:04:05.000Z', runId: `run_${version}`,
        dataSnapshot: 'abcdef0123456789', fingerprints: { exact: 'e'.repeat(64), structural: 's'.repeat(64) }, params: { fast: 5 }, libraryCount: 1,
        notes: null, approvedBy: state === 'draft' ? null : 'bob', digest: 'd'.repeat(64), intact: true, ...o,
    };
}

describe('the registry view model', () => {
    it('groups by name, versions newest first, and says which version is live', () => {
        const groups = groupEntries([entry('Trend', 1, 'deployed'), entry('Alpha', 1, 'draft'), entry('Trend', 3, 'draft'), entry('Trend', 2, 'retired')]);
        expect(groups.map(g => [g.name, g.versions.map(v => v.version)])).toEqual([['Alpha', [1]], ['Trend', [3, 2, 1]]]);
        expect(groupDescription(groups[1]!)).toBe('3 versions · latest v3 draft · v1 deployed');
        expect(groupDescription(groups[0]!)).toBe('1 version · latest v1 draft');
    });

    it('labels, descriptions, details and icons per version', () => {
        const e = entry('Trend', 2, 'approved', { notes: 'reviewed' });
        expect(versionLabel(e)).toBe('v2');
        expect(versionDescription(e)).toBe('approved · alice · 2026-01-02 · run run_2');
        expect(versionDescription(entry('Trend', 1, 'draft', { runId: null }))).toBe('draft · alice · 2026-01-02 · file');
        expect(versionDetails(e)).toEqual(expect.arrayContaining(['approved by bob', 'params: fast=5', 'notes: reviewed']));
        expect(versionDetails(entry('Trend', 1, 'draft'))).toContain('awaiting approval by a trader other than the author');
        expect(versionIcon(e)).toEqual({ id: 'pass', color: 'testing.iconPassed' });
        expect(versionIcon(entry('Trend', 1, 'retired')).id).toBe('archive');
    });

    it('an altered entry shows as such and offers no action', () => {
        const bad = entry('Trend', 1, 'draft', { intact: false });
        expect(versionContext(bad)).toBe('registryVersion.altered');
        expect(versionDescription(bad)).toMatch(/^ALTERED/);
        expect(versionIcon(bad).id).toBe('warning');
        expect(versionDetails(bad)[0]).toMatch(/do not trust it/);
        expect(versionContext(entry('Trend', 1, 'draft'))).toBe('registryVersion.draft');
    });

    it('references from view nodes and NAME@VERSION text', () => {
        expect(refOf({ kind: 'version', entry: entry('Trend', 4, 'draft') })).toEqual({ name: 'Trend', version: 4 });
        expect(refOf('Trend@12')).toEqual({ name: 'Trend', version: 12 });
        expect(refOf('Trend')).toBeUndefined();
        expect(refOf({ kind: 'name' })).toBeUndefined();
    });
});
