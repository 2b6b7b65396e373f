// SOAP envelopes for the partner API: parsing requests with fast-xml-parser and writing
// responses and faults the way Salesforce does (jsforce reads `soapenv:Envelope/Body`, and
// the login result by regex, in jsforce's src/login.ts; LoginResult fields:
// https://developer.salesforce.com/docs/platform/api/guide/sforce-api-calls-login.html).
import { XMLParser } from 'fast-xml-parser';

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  trimValues: false,
});

/** A parsed SOAP request: the operation name, its arguments and the session id header. */
export interface SoapRequest {
  operation: string;
  args: Record<string, unknown>;
  sessionId: string | undefined;
  /** `AllOrNoneHeader`, `DuplicateRuleHeader` etc. by local name. */
  headers: Record<string, unknown>;
}

/** Parses a SOAP envelope; returns null when it is not one. */
export function parseSoap(xml: string): SoapRequest | null {
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml) as Record<string, unknown>;
  } catch {
    return null;
  }
  const env = doc.Envelope as Record<string, unknown> | undefined;
  const body = env?.Body as Record<string, unknown> | undefined;
  if (!body) return null;
  const operation = Object.keys(body).find((k) => !k.startsWith('@'));
  if (!operation) return null;
  const header = (env?.Header ?? {}) as Record<string, unknown>;
  const sessionHeader = header.SessionHeader as Record<string, unknown> | undefined;
  const args = body[operation];
  return {
    operation,
    args: args && typeof args === 'object' ? (args as Record<string, unknown>) : {},
    sessionId: typeof sessionHeader?.sessionId === 'string' ? sessionHeader.sessionId : undefined,
    headers: header,
  };
}

/** Escapes text for XML content. */
export function xmlEscape(value: unknown): string {
  return String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Serialises a plain value tree to XML elements; arrays repeat the element, null is xsi:nil. */
export function toXml(name: string, value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => toXml(name, v)).join('');
  if (value === null || value === undefined) return `<${name} xsi:nil="true"/>`;
  if (typeof value === 'object') {
    const inner = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => toXml(k, v))
      .join('');
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${xmlEscape(value)}</${name}>`;
}

const ENVELOPE_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com" xmlns:sf="urn:sobject.partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">';

/** A response envelope for `<operation>Response` holding `result` element(s). */
export function soapResponse(operation: string, result: unknown): string {
  return `${ENVELOPE_OPEN}<soapenv:Body><${operation}Response>${result === undefined ? '' : toXml('result', result)}</${operation}Response></soapenv:Body></soapenv:Envelope>`;
}

/** A SOAP fault (sent with HTTP 500) such as `sf:INVALID_LOGIN`. */
export function soapFault(code: string, message: string, faultType = 'UnexpectedErrorFault'): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<soapenv:Body><soapenv:Fault><faultcode>sf:${code}</faultcode><faultstring>${xmlEscape(`${code}: ${message}`)}</faultstring>` +
    `<detail><sf:${faultType} xsi:type="sf:${faultType}"><sf:exceptionCode>${code}</sf:exceptionCode><sf:exceptionMessage>${xmlEscape(message)}</sf:exceptionMessage></sf:${faultType}></detail>` +
    '</soapenv:Fault></soapenv:Body></soapenv:Envelope>'
  );
}
