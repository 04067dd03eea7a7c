// Types for eslint/layers.js, which the ESLint config loads as plain JavaScript and test/unit/layer-lint.test.ts reads.
import type { Rule } from 'eslint';

export declare const LAYERS: Record<string, { may: string[]; typesFrom?: string[] }>;
export declare const COMPOSITION_ROOTS: string[];
export declare const DRIVERS: string[];
export declare const layersRule: Rule.RuleModule;
