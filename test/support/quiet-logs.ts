import { configureLogging } from '../../src/log.js';

/**
 * Loaded by mocha before the tests: log lines of code running inside the test process are kept
 * out of the test report unless TEST_LOGS=1. Tests that read logs install their own writer.
 */
if (process.env.TEST_LOGS !== '1') configureLogging({ write: () => undefined });
