import { defineConfig, mergeConfig } from 'vitest/config';
import base from '../../vitest.config.js';

// The whole suite on SQLite, with every statement recorded (./record.ts).
export default mergeConfig(base, defineConfig({ test: { setupFiles: ['scripts/plan-audit/record.ts'] } }));
