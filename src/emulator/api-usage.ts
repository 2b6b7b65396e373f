// The daily API request counter behind `Sforce-Limit-Info: api-usage=N/M` and `/limits`.
// Salesforce counts every REST call against a rolling 24-hour org allowance and refuses calls
// past it with 403 REQUEST_LIMIT_EXCEEDED (https://developer.salesforce.com/docs/platform/salesforce-app-limits-cheatsheet/guide/salesforce-app-limits-platform-api.html); the emulator counts since start
// (or the last reset) instead of a rolling window.
import { SalesforceError } from './errors';

/** Counts API calls against a daily limit. */
export class ApiUsage {
  used = 0;

  constructor(
    /** The daily allowance (`Max` of DailyApiRequests). */
    public limit: number,
  ) {}

  /** Counts one call, or throws 403 REQUEST_LIMIT_EXCEEDED when the allowance is spent. */
  consume(): void {
    if (this.used >= this.limit) {
      throw new SalesforceError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
    }
    this.used++;
  }

  /** The `Sforce-Limit-Info` header value. */
  header(): string {
    return `api-usage=${this.used}/${this.limit}`;
  }

  /** Calls left today. */
  remaining(): number {
    return Math.max(0, this.limit - this.used);
  }

  /** Starts a new day. */
  reset(): void {
    this.used = 0;
  }
}
