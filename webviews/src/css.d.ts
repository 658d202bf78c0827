// Stylesheets imported by the panels' entry points: esbuild bundles them into dist/<panel>.css.
declare module '*.css';
