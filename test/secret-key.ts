/**
 * @module The fixed secret key of tests and benchmarks (never a real one), and a SecretBox over it.
 */
import { createSecretBox, type SecretBox } from '../src/secrets/secret-box.js';

export const TEST_SECRET_KEY = Buffer.alloc(32, 7);

export const testSecretBox = (): SecretBox => createSecretBox({ current: TEST_SECRET_KEY });
