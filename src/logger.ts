/**
 * Structured logging (pino). One root logger; modules take a child with their own bindings
 * (`logger.child({ object: 'Lead' })`). Credentials never reach it: fields that could carry them
 * are redacted by path, and connection strings are passed through `redactUrl` first.
 */
import pino from 'pino';

/**
 * The root logger; level from LOG_LEVEL (default `info`). It writes to stderr, synchronously: stdout
 * is for the lines people read (`npm start`'s banner and progress, the CLI's answers), so
 * `npm start 2>tandem.log` or `2>/dev/null` separates the two.
 */
export const logger = pino(
  {
    level: process.env.LOG_LEVEL ?? 'info',
    base: { service: 'tandem' },
    redact: {
      paths: [
        'password',
        '*.password',
        'clientSecret',
        '*.clientSecret',
        'accessToken',
        '*.accessToken',
        'sessionId',
        '*.sessionId',
        'securityToken',
        '*.securityToken',
      ],
      censor: '[redacted]',
    },
  },
  pino.destination({ fd: 2, sync: true }),
);

/** A connection URL with its password replaced, safe to print (src/security/redact-url.ts). */
export { redactUrl } from './security/redact-url';
