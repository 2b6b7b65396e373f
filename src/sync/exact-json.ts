/**
 * Exact numbers in JSON. Pure. A JavaScript number holds about 15–17 significant digits, but Salesforce
 * number fields hold up to 18 (https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/field_types.htm)
 * and PostgreSQL numeric far more, so `JSON.parse` would round 123456789012345678 to 123456789012345680.
 * `parseExactJson` keeps every number literal that a double cannot hold exactly as an `ExactNumber`
 * (its literal text); `stringifyExact` writes it back as the same number literal; `canonicalNumber`
 * compares numbers by value without going through a double.
 */

/** A JSON number literal kept as its text because a double would round it. */
export class ExactNumber {
  constructor(readonly text: string) {}
  /** The literal text: what PostgreSQL's numeric input and CSV cells take. */
  toString(): string {
    return this.text;
  }
  /** A plain `JSON.stringify` writes the text as a JSON string, which jsonb_populate_record casts to numeric exactly. */
  toJSON(): string {
    return this.text;
  }
}

// A double holds every decimal of up to 15 significant digits exactly (IEEE 754 binary64, DBL_DIG = 15).
const SAFE_DIGITS = 15;
const LONG_DIGIT_RUN = /\d{16}/;

/** Significant digits of a number literal (no sign, exponent, leading or trailing zeros). */
function significantDigits(literal: string): number {
  const mantissa = literal
    .replace(/^-/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '');
  return mantissa.replace(/^0+/, '').replace(/0+$/, '').length;
}

/** Parses JSON like `JSON.parse`, except that numbers with more than 15 significant digits become ExactNumbers. */
export function parseExactJson(text: string): unknown {
  // No run of 16 digits anywhere: no number can need more than a double, and JSON.parse is much faster.
  if (!LONG_DIGIT_RUN.test(text)) return JSON.parse(text);
  return new Parser(text).document();
}

class Parser {
  private at = 0;
  constructor(private readonly text: string) {}

  document(): unknown {
    const value = this.value();
    this.space();
    if (this.at !== this.text.length) this.fail('unexpected text after the JSON value');
    return value;
  }

  private fail(why: string): never {
    throw new SyntaxError(`Invalid JSON at position ${this.at}: ${why}`);
  }

  private space(): void {
    while (this.at < this.text.length && ' \t\n\r'.includes(this.text[this.at]!)) this.at++;
  }

  private value(): unknown {
    this.space();
    const c = this.text[this.at];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return value;
      }
    }
    return this.fail('unexpected character');
  }

  private object(): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    this.at++;
    this.space();
    if (this.text[this.at] === '}') {
      this.at++;
      return result;
    }
    for (;;) {
      this.space();
      if (this.text[this.at] !== '"') this.fail('expected a property name');
      const key = this.string();
      this.space();
      if (this.text[this.at++] !== ':') this.fail('expected ":"');
      Object.defineProperty(result, key, { value: this.value(), enumerable: true, writable: true, configurable: true });
      this.space();
      const next = this.text[this.at++];
      if (next === '}') return result;
      if (next !== ',') this.fail('expected "," or "}"');
    }
  }

  private array(): unknown[] {
    const result: unknown[] = [];
    this.at++;
    this.space();
    if (this.text[this.at] === ']') {
      this.at++;
      return result;
    }
    for (;;) {
      result.push(this.value());
      this.space();
      const next = this.text[this.at++];
      if (next === ']') return result;
      if (next !== ',') this.fail('expected "," or "]"');
    }
  }

  private string(): string {
    // Find the closing quote (skipping escapes) and let JSON.parse decode the escapes.
    const start = this.at;
    this.at++;
    while (this.at < this.text.length) {
      const c = this.text[this.at];
      if (c === '\\') this.at += 2;
      else if (c === '"') {
        this.at++;
        return JSON.parse(this.text.slice(start, this.at)) as string;
      } else this.at++;
    }
    return this.fail('unterminated string');
  }

  private number(): number | ExactNumber {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/.exec(this.text.slice(this.at, this.at + 400));
    if (!match) this.fail('invalid number');
    const literal = match[0];
    this.at += literal.length;
    return significantDigits(literal) > SAFE_DIGITS ? new ExactNumber(literal) : Number(literal);
  }
}

// Private-use characters around an exact literal while JSON.stringify runs; replaced by the bare literal after.
const OPEN = '\uE000';
const CLOSE = '\uE001';
const MARKED = new RegExp(`"${OPEN}(-?[0-9.eE+-]+)${CLOSE}"`, 'g');

/** `JSON.stringify`, except that ExactNumbers are written as their number literals. */
export function stringifyExact(value: unknown): string {
  let marked = false;
  const text = JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const raw = this[key];
    if (raw instanceof ExactNumber) {
      marked = true;
      return `${OPEN}${raw.text}${CLOSE}`;
    }
    return v;
  });
  return marked ? text.replace(MARKED, '$1') : text;
}

const DECIMAL = /^([-+]?)(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/;

/**
 * The canonical text of a decimal number (a JS number, an ExactNumber or numeric text), equal for
 * equal values whatever their form (`5`, `5.0`, `5e0`, `123456789012345678`), or null when it is not a number.
 */
export function canonicalNumber(value: unknown): string | null {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : String(value).trim();
  const m = DECIMAL.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const fraction = m[3] ?? '';
  let digits = (m[2]! + fraction).replace(/^0+/, '');
  // value = 0.digits × 10^exponent
  let exponent = Number(m[4] ?? 0) + m[2]!.replace(/^0+/, '').length;
  if (m[2]!.replace(/^0+/, '') === '') exponent -= fraction.length - fraction.replace(/^0+/, '').length;
  digits = digits.replace(/0+$/, '');
  if (digits === '') return '0';
  return `${m[1] === '-' ? '-' : ''}0.${digits}e${exponent}`;
}
