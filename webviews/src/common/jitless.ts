/**
 * Imported first by every panel: zod compiles fast parsers with `new Function` unless told not
 * to, which the panels' Content-Security-Policy (no 'unsafe-eval') forbids and reports as a
 * violation. It decides when schemas are built, so this must run before protocol.ts is evaluated.
 */
import * as z from 'zod';

z.config({ jitless: true });
