/**
 * Must be imported before any schema parses. Zod compiles fast parsers with
 * `new Function` after probing whether eval is allowed; under our CSP (no
 * 'unsafe-eval') even the caught probe is reported as a violation.
 */
import { z } from 'zod';

z.config({ jitless: true });
