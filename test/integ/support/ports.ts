/**
 * Where the integ run's local S3 listens: away from the demo's default 7480, so a developer's running demo
 * cluster and a test run never share a cluster. STRONGROOM_INTEG_S3_PORT moves it (e.g. two checkouts at once).
 */
export function integS3Port(): number {
  const value = process.env.STRONGROOM_INTEG_S3_PORT ?? '7580';
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1024 || port > 55535) {
    throw new Error(`STRONGROOM_INTEG_S3_PORT must be a port in 1024-55535, got '${value}'`);
  }
  return port;
}
