// Types of netns.mjs for the tests that run af worker in network namespaces.
import type { ChildProcess, SpawnOptions } from 'node:child_process';
export interface Netns { name: string; host: string; ns: string }
export function addressesOf(subnet: string): { host: string; ns: string };
export function createNetns(name: string, subnet: string): Netns;
export function removeNetns(name: string): void;
export function listNetns(): string[];
export function spawnWorkerIn(name: string, args: string[], opts?: SpawnOptions): ChildProcess;
