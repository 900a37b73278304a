/** Query-protocol XML responses, in the shapes STS and IAM send. */

export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
export const IAM_NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';

export type XmlValue = string | number | XmlTree | undefined;
/** Child elements in insertion order; undefined values are left out. */
export interface XmlTree {
  [element: string]: XmlValue;
}

export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );
}

export function toXml(tree: XmlTree): string {
  return Object.entries(tree)
    .map(([name, value]) => {
      if (value === undefined) return '';
      const inner = typeof value === 'object' ? toXml(value) : escapeXml(String(value));
      return `<${name}>${inner}</${name}>`;
    })
    .join('');
}

/** `<XResponse><XResult>…</XResult><ResponseMetadata>…`; actions without output omit the result. */
export function actionResponse(
  namespace: string,
  action: string,
  result: XmlTree | undefined,
  requestId: string,
): string {
  const body = result === undefined ? '' : `<${action}Result>${toXml(result)}</${action}Result>`;
  return (
    `<${action}Response xmlns="${namespace}">${body}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`
  );
}

export function errorResponse(
  namespace: string,
  error: { type: string; code: string; message: string },
  requestId: string,
): string {
  return (
    `<ErrorResponse xmlns="${namespace}">` +
    toXml({ Error: { Type: error.type, Code: error.code, Message: error.message } }) +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}
