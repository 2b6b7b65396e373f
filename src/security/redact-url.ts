/** A connection URL with its password replaced, safe to print. Dependency-free, so the CLI loads it without pino. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}
