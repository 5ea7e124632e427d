/*
 * Imported first by the handler tests, before the handlers build their default Powertools instances:
 * the settings the stack gives every function, with log output silenced. Tests that check log lines
 * or metrics inject their own instances (see fixtures.ts).
 */
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_NAMESPACE = 'Strongroom';
process.env.POWERTOOLS_SERVICE_NAME = 'test';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
