/** Public API of the AlphaForge language library. */
export * from './alphaforge-module.js';
export * from './generated/ast.js';
export { AlphaForgeLanguageMetaData } from './generated/module.js';
export * from './catalogue/catalogue.js';
export * from './catalogue/pack-types.js';
export { corePack } from './catalogue/core-pack.js';
export * from './analysis/types.js';
export type { Facts, Decl } from './analysis/checker.js';
export type { Finding, Chain, ChainStep } from './analysis/findings.js';
export type { StrategyAnalysis, Warmup, Sink, AnalyzerOptions } from './analysis/analyzer.js';
export type { ParamSpace, ParamInfo } from './analysis/params.js';
export { SETTINGS, type SettingSpec, type SettingKind, type Section } from './analysis/settings.js';
export { durationMs } from './analysis/duration.js';
export * from './validation/diagnostic-codes.js';
export { docComment } from './doc-comments.js';
export { loadFiles, loadString, type LoadedDocument } from './workspace/load.js';
export { resolveImport } from './scoping.js';
