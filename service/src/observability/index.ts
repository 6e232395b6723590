// Observability: pino logger options with redaction, request ids, Prometheus metrics.
import { LogController, type FastifyServerOptions } from 'fastify';
import { loggerOptions, type LogLevel } from './logger.js';
import { generateRequestId } from './request-id.js';

export { isLogLevel, loggerOptions, logLevels, pathOnly, personalDataKeys, redactPaths, scrubPersonalData, type LogLevel } from './logger.js';
export { generateRequestId, registerRequestIdEcho, requestIdHeader } from './request-id.js';
export { registerDebugQueryLog } from './debug-log.js';
export { registerMetrics, unmatchedRoute, type MetricsHandle, type MetricsOptions } from './metrics.js';

/**
 * Options to spread into the `Fastify({...})` constructor: the logger (or `false` for none) and request ids
 * (`x-request-id` honoured when safe, else a UUID; logged as `requestId`).
 */
export function fastifyObservabilityOptions(level: LogLevel | false = 'info'): Pick<FastifyServerOptions, 'logger' | 'genReqId' | 'logController' | 'requestIdHeader'> {
  return {
    logger: level === false ? false : loggerOptions(level),
    requestIdHeader: false,
    genReqId: generateRequestId,
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
  };
}
